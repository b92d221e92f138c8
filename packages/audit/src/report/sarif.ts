import type { AuditReport } from "../audit.js";
import type { Severity } from "../model.js";

/** Descriptions of each check id, for SARIF `rules` (shown by GitHub code scanning). */
const RULES: Record<string, string> = {
  typosquat: "Dependency name imitates a popular package",
  "dependency-confusion": "Internal package resolves from the public registry",
  "lockfile-tampering": "Lockfile entry points somewhere it should not",
  "install-script": "Dependency runs an install script",
  "malicious-code": "Tarball contains code that looks malicious",
  "integrity-mismatch": "Tarball does not match the lockfile integrity",
  "known-malware": "Version is listed as malware in OSV",
  "known-vulnerability": "Version has a known vulnerability in OSV",
  "tarball-unreadable": "Tarball could not be fetched or read",
  "tarball-not-cached": "Tarball not analyzed (offline, not cached)",
  "release-age": "Version is younger than the minimum release age",
  deprecated: "Version is deprecated by its maintainers",
  "publisher-change": "Version published by an account that never published before",
  "version-unpublished": "Version is no longer listed by the registry",
  "metadata-unavailable": "Registry metadata could not be read",
};

/** SARIF has three levels; `security-severity` keeps our finer scale for GitHub's ranking. */
function level(severity: Severity): "error" | "warning" | "note" {
  return severity === "critical" || severity === "high" ? "error" : severity === "medium" ? "warning" : "note";
}

const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "0.0" };

/** SARIF 2.1.0 (OASIS), the subset GitHub code scanning accepts for upload. */
export function toSarif(report: AuditReport): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.checkId))].sort();
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "parapet-audit",
            informationUri: "https://github.com/parapet/parapet",
            rules: ruleIds.map((id) => ({
              id,
              name: id.replace(/(^|-)(\w)/g, (_, _sep: string, c: string) => c.toUpperCase()),
              shortDescription: { text: RULES[id] ?? id },
              properties: { tags: ["security", "supply-chain"] },
            })),
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.checkId,
          ruleIndex: ruleIds.indexOf(f.checkId),
          level: level(f.severity),
          message: { text: `${f.packageName ? `${f.packageName}@${f.version ?? "?"}: ` : ""}${f.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.location.file },
                region: { startLine: f.location.line ?? 1 },
              },
            },
          ],
          partialFingerprints: { "parapet/v1": `${f.checkId}:${f.packageName ?? ""}@${f.version ?? ""}` },
          properties: { "security-severity": SECURITY_SEVERITY[f.severity], severity: f.severity },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
