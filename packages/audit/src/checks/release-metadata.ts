import { type Finding, type LockedPackage, packageId, type Severity } from "../model.js";
import { type Check, uniqueBy } from "./context.js";

const DAY_MS = 86_400_000;

function finding(pkg: LockedPackage, checkId: string, severity: Severity, message: string): Finding {
  return { checkId, severity, packageName: pkg.name, version: pkg.version, message, location: pkg.location };
}

function age(ms: number): string {
  return ms < 2 * DAY_MS ? `${Math.max(0, Math.round(ms / 3600_000))} hours` : `${Math.round(ms / DAY_MS)} days`;
}

/** Deprecation texts that announce a compromise, not an ordinary end of life. */
const COMPROMISE_WORDS = /\b(?:malicious|malware|compromised|hijacked|backdoor)/i;
const SECURITY_WORDS = /\b(?:security|vulnerab|CVE-\d)/i;

/**
 * Checks that read the registry's metadata (packuments):
 * - `release-age`: the installed version is younger than `minReleaseAgeDays`. Hijacked
 *   versions are usually caught and removed within hours (ua-parser-js 2021 ~4 h,
 *   chalk/debug 2025 ~2.5 h, nx 2025 ~5 h), so waiting a couple of days before adopting a
 *   release avoids most of them.
 * - `deprecated`: the maintainers deprecated this version; a deprecation that mentions a
 *   compromise is treated as one.
 * - `publisher-change`: the account that published this version never published an
 *   earlier one. A stolen token used by a new account is how many takeovers look
 *   (event-stream 2018 was published by a newcomer). New CI bots and team members also
 *   look like this, hence medium unless the release is also fresh.
 * - `version-unpublished`: the registry no longer lists this version; npm removes
 *   malware that way.
 */
export function createReleaseMetadataCheck(now: () => number): Check {
  return function checkReleaseMetadata({ packages, config, packuments }) {
    const findings: Finding[] = [];
    if (!packuments) return findings;
    const minAgeMs = config.minReleaseAgeDays * DAY_MS;
    // A bundled copy is whatever its parent's author packed, maybe never published on its own.
    const fromRegistry = packages.filter((pkg) => pkg.source === "registry" && !pkg.bundled);
    for (const pkg of uniqueBy(fromRegistry, packageId)) {
      const meta = packuments.get(pkg.name);
      if (!meta) continue;
      if (!meta.versions.includes(pkg.version)) {
        findings.push(
          finding(
            pkg,
            "version-unpublished",
            "high",
            `the registry no longer lists ${pkg.name}@${pkg.version}. npm removes malicious versions this way; check why it was removed (npm advisories, the package's repository) and move to a listed version.`,
          ),
        );
        continue;
      }
      const publishedAt = meta.published[pkg.version];
      const sinceRelease = publishedAt === undefined ? undefined : now() - publishedAt;
      const fresh = sinceRelease !== undefined && minAgeMs > 0 && sinceRelease < minAgeMs;
      if (fresh) {
        findings.push(
          finding(
            pkg,
            "release-age",
            "medium",
            `was published ${age(sinceRelease)} ago, under the ${config.minReleaseAgeDays}-day minimum release age. Hijacked releases are usually pulled within a day; pin the previous version until this one has aged, or lower minReleaseAgeDays in .parapet-audit.json.`,
          ),
        );
      }
      const deprecation = meta.deprecated[pkg.version];
      if (deprecation !== undefined) {
        const severity: Severity = COMPROMISE_WORDS.test(deprecation) ? "high" : SECURITY_WORDS.test(deprecation) ? "medium" : "low";
        findings.push(
          finding(
            pkg,
            "deprecated",
            severity,
            `is deprecated by its maintainers: ${JSON.stringify(deprecation.slice(0, 300))}. Move to the version or package they recommend.`,
          ),
        );
      }
      const publisher = meta.publisher[pkg.version];
      if (publisher !== undefined && publishedAt !== undefined) {
        const earlier = meta.versions.filter((v) => (meta.published[v] ?? Number.POSITIVE_INFINITY) < publishedAt);
        const previousPublishers = new Set(earlier.map((v) => meta.publisher[v]).filter((p) => p !== undefined));
        if (previousPublishers.size > 0 && !previousPublishers.has(publisher)) {
          findings.push(
            finding(
              pkg,
              "publisher-change",
              fresh ? "high" : "medium",
              `was published by "${publisher}", an account that never published an earlier version (before: ${[...previousPublishers].slice(0, 5).join(", ")}). Confirm the new publisher with the project (release notes, repository) before trusting this version${fresh ? "; it is also brand new, the pattern of an account takeover" : ""}.`,
            ),
          );
        }
      }
    }
    return findings;
  };
}
