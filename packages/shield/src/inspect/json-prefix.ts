import { locationSegment } from "../reported.js";
import type { CandidateSink } from "./limits.js";

/**
 * The start of a JSON body cut at the inspection limit: JSON.parse rejects
 * it, and inspecting 64 KB as one value costs every detector a pass over all
 * of it (milliseconds, per request, on a body an attacker makes as large as
 * the server accepts). Instead its keys and string leaves are read, with
 * their locations, up to the cut, in one left-to-right pass that checks the
 * grammar as it goes: a prefix that is not JSON (a bare word, a stray comma)
 * returns false, adding nothing, and is inspected as text.
 */

/** A container being read: where it sits (for locations) and what it is. */
interface Frame {
  readonly parent: Frame | undefined;
  /** Its key or index in the parent; "body" at the root. */
  readonly segment: string;
  readonly isArray: boolean;
  /** The key under which the container sits (arrays pass it on to their elements as the parameter name). */
  readonly name: string | undefined;
  readonly depth: number;
  /** The current key (objects) or element index (arrays). */
  key: string;
  index: number;
}

/** A key or string leaf, kept until the prefix is known to be JSON. */
interface Leaf {
  readonly value: string;
  readonly isKey: boolean;
  readonly owner: Frame | undefined;
  readonly segment: string;
}

enum Expect {
  Value = 0,
  /** After `[`: a value or `]`. */
  ValueOrClose = 1,
  /** After `{`: a key or `}`. */
  KeyOrClose = 2,
  /** After `,` in an object. */
  Key = 3,
  Colon = 4,
  /** After a value: `,` or the container's close. */
  CommaOrClose = 5,
  /** After the root value: only whitespace. */
  End = 6,
}

/** Adds the keys and string leaves of a cut JSON text and marks the request partly inspected; false (nothing added) if it is not JSON. */
export function addJsonPrefix(text: string, sink: CandidateSink): boolean {
  const leaves: Leaf[] = [];
  const { maxValues, maxDepth } = sink.limits;
  let frame: Frame | undefined;
  let expect = Expect.Value;
  let i = 0;
  const n = text.length;
  // The next backslash at or after the current string: found once, so strings without escapes cost no rescan.
  let nextBackslash = -2;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
      continue;
    }
    if (c === 34) {
      const isKey = expect === Expect.KeyOrClose || expect === Expect.Key;
      if (!isKey && expect !== Expect.Value && expect !== Expect.ValueOrClose) return false;
      if (nextBackslash !== -1 && nextBackslash <= i) nextBackslash = text.indexOf("\\", i + 1);
      let end = text.indexOf('"', i + 1);
      const escaped = nextBackslash !== -1 && (end === -1 || nextBackslash < end);
      while (end !== -1 && escaped && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      // Cut inside this string: what arrived is still inspected, escapes as written.
      const closed = end !== -1;
      if (!closed) end = n;
      let value = text.slice(i + 1, end);
      if (escaped && closed) {
        try {
          value = JSON.parse(text.slice(i, end + 1)) as string;
        } catch {
          return false;
        }
      }
      i = end + 1;
      if (isKey) {
        const owner = frame as Frame;
        owner.key = value;
        if (leaves.length < maxValues) leaves.push({ value, isKey: true, owner, segment: value });
        expect = Expect.Colon;
      } else {
        const segment = frame === undefined ? "body" : frame.isArray ? String(frame.index) : frame.key;
        if (leaves.length < maxValues) leaves.push({ value, isKey: false, owner: frame, segment });
        expect = frame === undefined ? Expect.End : Expect.CommaOrClose;
      }
      continue;
    }
    if (c === 123 || c === 91) {
      if (expect !== Expect.Value && expect !== Expect.ValueOrClose) return false;
      const segment = frame === undefined ? "body" : frame.isArray ? String(frame.index) : frame.key;
      const name = frame === undefined ? undefined : frame.isArray ? frame.name : frame.key;
      const depth = frame === undefined ? 0 : frame.depth + 1;
      frame = { parent: frame, segment, isArray: c === 91, name, depth, key: "", index: 0 };
      expect = c === 91 ? Expect.ValueOrClose : Expect.KeyOrClose;
      i++;
      continue;
    }
    if (c === 125 || c === 93) {
      if (frame === undefined || frame.isArray !== (c === 93)) return false;
      if (expect !== Expect.CommaOrClose && expect !== (c === 93 ? Expect.ValueOrClose : Expect.KeyOrClose)) return false;
      frame = frame.parent;
      expect = frame === undefined ? Expect.End : Expect.CommaOrClose;
      i++;
      continue;
    }
    if (c === 44) {
      if (expect !== Expect.CommaOrClose || frame === undefined) return false;
      if (frame.isArray) {
        frame.index++;
        expect = Expect.Value;
      } else expect = Expect.Key;
      i++;
      continue;
    }
    if (c === 58) {
      if (expect !== Expect.Colon) return false;
      expect = Expect.Value;
      i++;
      continue;
    }
    // A number or a literal: nothing to inspect, but it must be one (or the start of one, at the cut).
    if (expect !== Expect.Value && expect !== Expect.ValueOrClose) return false;
    const end = scalarEnd(text, i);
    if (end === -1) {
      if (!isLiteralStart(text.slice(i))) return false;
      break;
    }
    i = end;
    expect = frame === undefined ? Expect.End : Expect.CommaOrClose;
  }
  // Nothing but whitespace, or a lone scalar: not a document worth reading this way.
  if (leaves.length === 0 && frame === undefined) return false;
  sink.truncated = true;
  addLeaves(leaves, sink, maxDepth);
  return true;
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let count = 0;
  for (let j = at - 1; j >= 0 && text.charCodeAt(j) === 92; j--) count++;
  return (count & 1) === 1;
}

/** `tru` at the very end of a cut body. */
function isLiteralStart(rest: string): boolean {
  return rest.length < 5 && ("true".startsWith(rest) || "false".startsWith(rest) || "null".startsWith(rest));
}

/** The end of the number or literal at `start`, or -1 when it is neither. */
function scalarEnd(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === 116) return text.startsWith("true", start) ? start + 4 : -1;
  if (c === 102) return text.startsWith("false", start) ? start + 5 : -1;
  if (c === 110) return text.startsWith("null", start) ? start + 4 : -1;
  if (c !== 45 && (c < 48 || c > 57)) return -1;
  // Digits, sign, point and exponent: whatever their order, they cannot carry a payload.
  let i = start + 1;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45)) break;
  }
  return i;
}

function locationOf(frame: Frame): string {
  let location = locationSegment(frame.segment);
  for (let up = frame.parent; up !== undefined; up = up.parent) location = `${locationSegment(up.segment)}.${location}`;
  return location;
}

/** Hands the leaves to the sink, as the walk of a parsed body would: deeper than the limit is skipped, the location built only for values kept. */
function addLeaves(leaves: readonly Leaf[], sink: CandidateSink, maxDepth: number): void {
  for (let k = 0; k < leaves.length; k++) {
    if (sink.full) break;
    const { value, isKey, owner, segment } = leaves[k] as Leaf;
    if (owner !== undefined && owner.depth >= maxDepth) continue;
    const kind = isKey ? "body-key" : "body";
    const name = isKey || owner === undefined ? undefined : owner.isArray ? owner.name : segment;
    if (!sink.wants(kind, value, name)) continue;
    const location = owner === undefined ? "body" : `${locationOf(owner)}.${locationSegment(segment)}`;
    sink.addWanted(location, kind, value, name);
  }
}
