import type { InputKind } from "../detectors/types.js";
import { decodeFormComponent } from "./decode.js";
import type { CandidateSink } from "./limits.js";

/**
 * Walks `a=1&b[c][d]=2` (a query string or a form body) into candidates. Keys
 * use the bracket syntax that qs, PHP and Rails expand into objects, so
 * `user[name]` is reported as `query.user.name`; the key itself is inspected
 * too, because `__proto__[x]` and `password[$ne]` attack through keys.
 */
export function addParams(text: string, prefix: "query" | "body", sink: CandidateSink): void {
  if (text.length === 0) return;
  const valueKind: InputKind = prefix;
  const keyKind: InputKind = prefix === "query" ? "query-key" : "body-key";
  let start = 0;
  while (start <= text.length && !sink.full) {
    let end = text.indexOf("&", start);
    if (end === -1) end = text.length;
    if (end > start) {
      const pair = text.slice(start, end);
      const eq = pair.indexOf("=");
      const key = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? "" : decodeFormComponent(pair.slice(eq + 1));
      // Most keys are plain names: no segment array for them.
      const segments = key.indexOf("[") > 0 ? keySegments(key, sink.limits.maxDepth) : undefined;
      const location = segments === undefined ? `${prefix}.${key}` : `${prefix}.${segments.join(".")}`;
      sink.add(location, keyKind, key);
      sink.add(location, valueKind, value, segments === undefined ? key : (segments[segments.length - 1] ?? key));
      addSmuggledValue(key, prefix, valueKind, sink);
    }
    start = end + 1;
  }
  if (start <= text.length) sink.truncated = true;
}

/**
 * `pay%3DAND+1%3D1` decodes to one key, `pay=AND 1=1`, with no value: a
 * parser that decodes before splitting (or a second decode in the app) reads
 * it as `pay` = `AND 1=1`. So the part after the key's first `=` is inspected
 * as that field's value too, with every detector a value gets.
 */
function addSmuggledValue(key: string, prefix: "query" | "body", kind: InputKind, sink: CandidateSink): void {
  const eq = key.indexOf("=");
  if (eq === -1 || eq === key.length - 1) return;
  const name = key.slice(0, eq);
  sink.add(`${prefix}.${name}`, kind, key.slice(eq + 1), name);
}

/** `a[b][c]` → ["a", "b", "c"]; `a[]` → ["a"]; a key without brackets is one segment. Bounded by depth. */
export function keySegments(key: string, maxDepth: number): string[] {
  const open = key.indexOf("[");
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  let i = open;
  while (i < key.length && key.charCodeAt(i) === 91 && segments.length < maxDepth) {
    const close = key.indexOf("]", i + 1);
    if (close === -1) break;
    const segment = key.slice(i + 1, close);
    if (segment.length > 0) segments.push(segment);
    i = close + 1;
  }
  if (i < key.length) segments.push(key.slice(i));
  return segments;
}
