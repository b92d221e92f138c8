import { type Finding, packageId } from "../model.js";
import { isAffected, type OsvIndex, severityOf } from "../osv.js";
import { type Check, uniqueBy } from "./context.js";

/** Check `known-vulnerability` / `known-malware`: OSV records matched by name and semver range. */
export function createKnownVulnerabilityCheck(index: OsvIndex): Check {
  return function checkKnownVulnerabilities({ packages }) {
    const findings: Finding[] = [];
    for (const pkg of uniqueBy(packages, packageId)) {
      for (const record of index.get(pkg.name) ?? []) {
        if (!isAffected(record, pkg.name, pkg.version)) continue;
        const malware = record.id.startsWith("MAL-");
        findings.push({
          checkId: malware ? "known-malware" : "known-vulnerability",
          severity: severityOf(record),
          packageName: pkg.name,
          version: pkg.version,
          message: malware
            ? `${record.id}: this version is known malware${record.summary ? ` (${record.summary})` : ""}. Remove it now and rotate every secret on machines that installed it.`
            : `${record.id}${record.aliases?.length ? ` (${record.aliases.join(", ")})` : ""}: ${record.summary ?? "known vulnerability"}. Upgrade to a fixed version.`,
          location: pkg.location,
        });
      }
    }
    return findings;
  };
}
