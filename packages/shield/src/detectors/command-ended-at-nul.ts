/**
 * A command read as `system()`, `popen()` and every C function that takes the command line as a string read it: up
 * to its first NUL. `x;whoami%00.txt` runs `whoami` where the canonical form (NULs removed, as a shell reading a
 * script drops them) reads `x;whoami.txt`. No shell reads a NUL as a blank.
 */

import type { Candidate, Detector, Finding } from "./types.js";

/** `detector`, also asked about the text before the first NUL of a value that had one (`Candidate.withNul`). */
export function endingCommandsAtNul(detector: Detector): Detector {
  return {
    class: detector.class,
    ...(detector.needs === undefined ? {} : { needs: detector.needs }),
    detect(candidate: Candidate): Finding | undefined {
      const found = detector.detect(candidate);
      if (candidate.withNul === undefined) return found;
      const cut = endedAtNul(candidate, candidate.withNul);
      const ended = cut === undefined ? undefined : detector.detect(cut);
      return ended !== undefined && ended.score > (found?.score ?? 0) ? ended : found;
    },
  };
}

function endedAtNul(candidate: Candidate, withNul: string): Candidate | undefined {
  const canonical = withNul.slice(0, withNul.indexOf("\0"));
  if (canonical.trim().length === 0) return undefined;
  return { location: candidate.location, kind: candidate.kind, raw: candidate.raw, canonical, name: candidate.name };
}
