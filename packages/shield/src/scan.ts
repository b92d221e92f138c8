import type { AttackClass, Candidate, Detector, Finding, RegisteredDetector } from "./detectors/index.js";

/** A finding with the place it was found. */
export interface LocatedFinding extends Finding {
  readonly location: string;
}

const INERT = 0;
const PLAIN = 1;
const SYNTAX = 2;

/**
 * INERT: only ASCII letters and digits (ids, numbers, words), which no
 * detector can flag as a value. PLAIN: also spaces, `_ . , @ - +` and
 * non-ASCII letters. SYNTAX: anything else, or `..`.
 */
function shapeOf(value: string): number {
  let shape = INERT;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    if (c === 32 || c === 95 || c === 44 || c === 64 || c === 45 || c === 43 || c > 127) shape = PLAIN;
    else if (c === 46) {
      if (value.charCodeAt(i + 1) === 46) return SYNTAX;
      shape = PLAIN;
    } else return SYNTAX;
  }
  return shape;
}

/** Runs the enabled detectors that can fire on each candidate; returns findings at or above the threshold, strongest first. */
export function scanCandidates(
  candidates: readonly Candidate[],
  registry: readonly RegisteredDetector[],
  threshold: number,
  onDetectorError?: (detector: Detector, error: unknown) => void,
): LocatedFinding[] {
  const findings: LocatedFinding[] = [];
  for (const candidate of candidates) {
    const isKey = candidate.kind === "query-key" || candidate.kind === "body-key";
    const shape = shapeOf(candidate.canonical);
    if (shape === INERT && !isKey && candidate.canonical.length <= 64) continue;
    for (const entry of registry) {
      if (shape !== SYNTAX && !(isKey ? entry.plainKeys : entry.plainValues)) continue;
      let finding: Finding | undefined;
      try {
        finding = entry.detector.detect(candidate);
      } catch (error) {
        // Detectors promise not to throw; if one does, the others still run.
        onDetectorError?.(entry.detector, error);
        continue;
      }
      if (finding && finding.score >= threshold) findings.push({ ...finding, location: candidate.location });
    }
  }
  return findings.sort((a, b) => b.score - a.score);
}

export type { AttackClass };
