import { canonicalize } from "../src/canonicalize.js";
import type { Candidate, Detector, Finding, InputKind } from "../src/detectors/types.js";

/** A candidate as the plumbing would build it for a query parameter (or another place). */
export function candidate(raw: string, kind: InputKind = "query", name = "q"): Candidate {
  return { location: `${kind}.${name}`, kind, raw, canonical: canonicalize(raw), name };
}

/** The detector's score for a value, 0 when it finds nothing. */
export function scoreOf(detector: Detector, raw: string, kind: InputKind = "query", name = "q"): number {
  const finding: Finding | undefined = detector.detect(candidate(raw, kind, name));
  return finding?.score ?? 0;
}

/** The default ("medium") threshold: what a LIVE shield blocks out of the box. */
export const BLOCKS = 0.7;
