/**
 * What a denial says of its findings, bounded. The findings are judged on
 * everything inspected, but the decision is what an app logs, what the
 * decision log clones to its worker and stores, and what a dashboard shows:
 * it must not grow with the request. Before these bounds a 40 KB JSON body
 * with 300 script tags under one 30 KB key made a 9 MB reason, each finding's
 * location spelling the key out again.
 */

/** The strongest findings a reason lists; `moreFindings` counts the rest. */
export const MAX_REPORTED_FINDINGS = 20;
/** A key or name in a reported location keeps this many characters, the cut marked with "…". */
export const MAX_LOCATION_SEGMENT = 64;
/** A reported location keeps its place (`body`, `query`…) and its last characters up to this length. */
export const MAX_REPORTED_LOCATION = 256;

/**
 * `location` as a decision reports it: keys longer than MAX_LOCATION_SEGMENT
 * cut, and a location still longer than MAX_REPORTED_LOCATION cut in the
 * middle, keeping its place and its end (the field's own name). A copy, never
 * a view of the request's text.
 */
export function reportedLocation(location: string): string {
  // Common case: no segment can be too long (`length` is free even on a string built by concatenation).
  if (location.length <= MAX_LOCATION_SEGMENT) return detached(location);
  const cut = location.split(".").map(locationSegment).join(".");
  if (cut.length <= MAX_REPORTED_LOCATION) return detached(cut);
  const place = cut.slice(0, cut.indexOf("."));
  return detached(`${place}.…${cut.slice(cut.length - (MAX_REPORTED_LOCATION - place.length - 2))}`);
}

/**
 * A key as locations name it: over MAX_LOCATION_SEGMENT characters, its start and "…". The JSON walker names keys
 * this way when it spells a location out, so a location is at most the nesting depth times this long: each value's
 * location repeats the keys above it, and a 30 KB key over 300 values was 9 MB to spell out.
 */
export function locationSegment(segment: string | number): string {
  if (typeof segment === "number") return String(segment);
  return segment.length > MAX_LOCATION_SEGMENT ? `${segment.slice(0, MAX_LOCATION_SEGMENT - 1)}…` : segment;
}

/** V8 copies a substring shorter than this; a longer one is a view that keeps its whole parent alive. */
const SHORTEST_VIEW = 13;

/**
 * `text` as a string of its own. Evidence and locations are cut from the
 * request's values: as views (or concatenations holding views) they would keep
 * a whole body alive for as long as an app or a log holds the decision.
 */
export function detached(text: string): string {
  // Prepending flattens the text into a new string; cutting the space off again leaves only that copy referenced.
  return text.length < SHORTEST_VIEW ? text : ` ${text}`.slice(1);
}
