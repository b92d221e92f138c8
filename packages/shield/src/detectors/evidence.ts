import { detached } from "../reported.js";

/**
 * Evidence is logged and may be shown: short, one line, no control characters, and a string of its own (the
 * excerpt is cut from the request's value, and would otherwise keep all of it alive with the decision).
 */
export function evidenceOf(label: string, excerpt: string): string {
  const clean = excerpt.replace(/[\u0000-\u001f\u007f]/g, " ");
  const text = `${label}: ${clean}`;
  return detached(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}

/** The part of `value` around `index`, for evidence. */
export function around(value: string, index: number, width = 40): string {
  const start = Math.max(0, index - 10);
  return value.slice(start, start + width);
}
