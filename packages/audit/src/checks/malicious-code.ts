import { artifactKey, type Finding } from "../model.js";
import { type Check, uniqueBy } from "./context.js";

/**
 * Check `malicious-code`: turns each tarball verdict (tarball/verdict.ts) into a
 * finding that lists the reasons and the files, so a reviewer knows where to look.
 */
export function createMaliciousCodeCheck(): Check {
  return function checkMaliciousCode({ packages, analyses }) {
    const findings: Finding[] = [];
    if (!analyses) return findings;
    for (const pkg of uniqueBy(packages, artifactKey)) {
      const verdict = analyses.get(artifactKey(pkg))?.verdict;
      if (!verdict) continue;
      findings.push({
        checkId: "malicious-code",
        severity: verdict.severity,
        packageName: pkg.name,
        version: pkg.version,
        message: messageFor(verdict.severity, verdict.reasons),
        location: pkg.location,
      });
    }
    return findings;
  };
}

/** Reasons named before the rest are summarised: a bundler's output can trip one signal in dozens of files. */
const MAX_REASONS = 3;

/**
 * The advice scales with the evidence: a lone weak signal (typical of minified
 * bundles) asks for a look; capability plus intent asks for incident response.
 */
function messageFor(severity: Finding["severity"], reasons: readonly string[]): string {
  const shown = reasons.slice(0, MAX_REASONS).join("; ");
  const more = reasons.length > MAX_REASONS ? `; and ${reasons.length - MAX_REASONS} more` : "";
  if (severity === "low" || severity === "info") {
    return `worth a look: ${shown}${more}. Minified bundles often look like this; if this package is not expected to ship one, read those files.`;
  }
  return `suspicious code in the tarball: ${shown}${more}. Read those files before installing; if they are malicious, remove the package, rotate every secret the machine held, and report it to npm (security@npmjs.com).`;
}
