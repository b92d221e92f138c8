import type { AttackClass, Candidate, Detector, Finding } from "./detectors/index.js";

/** A finding with the place it was found. */
export interface LocatedFinding extends Finding {
  readonly location: string;
}

/**
 * A value made only of letters and digits carries no syntax, so no detector
 * can flag it: the common case (ids, names, numbers) skips them all. Keys are
 * excluded because `__proto__` and `constructor` are attacks as keys.
 */
function isInert(candidate: Candidate): boolean {
  if (candidate.kind === "query-key" || candidate.kind === "body-key") return false;
  const value = candidate.canonical;
  if (value.length > 64) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum) return false;
  }
  return true;
}

/** Runs every enabled detector on every candidate; returns findings at or above the threshold, strongest first. */
export function scanCandidates(
  candidates: readonly Candidate[],
  detectors: readonly Detector[],
  threshold: number,
  onDetectorError?: (detector: Detector, error: unknown) => void,
): LocatedFinding[] {
  const findings: LocatedFinding[] = [];
  for (const candidate of candidates) {
    if (isInert(candidate)) continue;
    for (const detector of detectors) {
      let finding: Finding | undefined;
      try {
        finding = detector.detect(candidate);
      } catch (error) {
        // Detectors promise not to throw; if one does, the others still run.
        onDetectorError?.(detector, error);
        continue;
      }
      if (finding && finding.score >= threshold) findings.push({ ...finding, location: candidate.location });
    }
  }
  return findings.sort((a, b) => b.score - a.score);
}

export type { AttackClass };
