import { ErrorCodes, ParapetError } from "./errors.js";

/** A duration: milliseconds as a number, or a string such as "500ms", "60s", "1m", "1h30m", "1d". */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// One number-unit pair; anchored and without nested quantifiers, so it runs in linear time.
const PART = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * Parses a duration into milliseconds. Plain numbers are milliseconds.
 * Throws a ParapetError naming the bad value: durations come from configuration.
 */
export function parseDuration(value: Duration, what = "duration"): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0) return value;
    throw invalid(what, value);
  }
  if (typeof value !== "string") throw invalid(what, value);
  let rest = value.trim().toLowerCase();
  if (rest === "") throw invalid(what, value);
  let total = 0;
  while (rest.length > 0) {
    const match = PART.exec(rest);
    if (!match) throw invalid(what, value);
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  if (!(total > 0)) throw invalid(what, value);
  return total;
}

function invalid(what: string, value: unknown): ParapetError {
  return new ParapetError(
    ErrorCodes.INVALID_DURATION,
    `${what} must be a positive number of milliseconds or a string like "500ms", "60s", "1m", "1h" or "1d"; got ${shown(value)}`,
  );
}

/** The value as the user wrote it: JSON.stringify shows Infinity and NaN as null and functions as nothing. */
function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
