import type { Finding } from "../model.js";
import type { Check } from "./context.js";

/**
 * Check `malicious-code`: turns each tarball verdict (tarball/verdict.ts) into a
 * finding that lists the reasons and the files, so a reviewer knows where to look.
 */
export function createMaliciousCodeCheck(): Check {
  return function checkMaliciousCode({ packages, analyses }) {
    const findings: Finding[] = [];
    if (!analyses) return findings;
    for (const pkg of packages) {
      const verdict = analyses.get(`${pkg.name}@${pkg.version}`)?.verdict;
      if (!verdict) continue;
      findings.push({
        checkId: "malicious-code",
        severity: verdict.severity,
        packageName: pkg.name,
        version: pkg.version,
        message: `suspicious code in the tarball: ${verdict.reasons.join("; ")}. Read those files before installing; if they are malicious, remove the package, rotate every secret the machine held, and report it to npm (security@npmjs.com).`,
        location: pkg.location,
      });
    }
    return findings;
  };
}
