import type { Finding, LockedPackage, Severity } from "../model.js";
import type { Check } from "./context.js";

function finding(pkg: LockedPackage, severity: Severity, message: string): Finding {
  return { checkId: "lockfile-tampering", severity, packageName: pkg.name, version: pkg.version, message, location: pkg.location };
}

/** The file name a registry gives a tarball: `<base>-<version>.tgz` under `/<name>/-/`. */
function expectedTarballPath(name: string, version: string): string {
  const base = name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
  return `/${name}/-/${base}-${version}.tgz`;
}

/**
 * Check `lockfile-tampering`: a lockfile is code review's blind spot (thousands of
 * generated lines), so a malicious pull request can point an entry at an attacker's
 * host or tarball and nobody reads it (Liran Tal, "lockfile injection", 2019).
 */
export function createLockfileIntegrityCheck(): Check {
  return function checkLockfileIntegrity({ packages, config }) {
    const findings: Finding[] = [];
    for (const pkg of packages) {
      if (pkg.source === "workspace" || pkg.source === "link") continue;
      if (pkg.source === "git") {
        findings.push(
          finding(
            pkg,
            "medium",
            `installed from git (${pkg.resolved}): no registry integrity hash, and the code can change under the same ref unless it is a commit. Publish it to your registry or pin a full commit SHA.`,
          ),
        );
        continue;
      }
      if (pkg.source === "file") {
        findings.push(
          finding(pkg, "low", `installed from a local path (${pkg.resolved}): make sure that path is under your control in CI.`),
        );
        continue;
      }
      if (pkg.source === "tarball-url") {
        findings.push(
          finding(
            pkg,
            "high",
            `installed from a direct tarball URL (${pkg.resolved}), bypassing the registry. Replace it with a registry version, or vendor the tarball and review it.`,
          ),
        );
      }
      if (pkg.resolved !== undefined && /^https?:/.test(pkg.resolved)) {
        let url: URL | undefined;
        try {
          url = new URL(pkg.resolved);
        } catch {
          findings.push(
            finding(pkg, "high", `resolved URL "${pkg.resolved}" is not a valid URL. Regenerate the lockfile and review the diff.`),
          );
        }
        if (url) {
          if (url.protocol !== "https:") {
            findings.push(
              finding(
                pkg,
                "high",
                `resolved over plain HTTP (${pkg.resolved}): anyone on the network path can swap the tarball. Use an https registry and regenerate the lockfile.`,
              ),
            );
          }
          if (!config.allowedHosts.includes(url.hostname)) {
            findings.push(
              finding(
                pkg,
                "high",
                `resolved from "${url.hostname}", which is not in allowedHosts (${config.allowedHosts.join(", ")}). If this is your private registry, add it to allowedHosts in .parapet-audit.json; otherwise the lockfile was tampered with.`,
              ),
            );
          } else if (pkg.source === "registry" && !decodeURIComponent(url.pathname).endsWith(expectedTarballPath(pkg.name, pkg.version))) {
            findings.push(
              finding(
                pkg,
                "critical",
                `resolved tarball ${url.pathname} does not match ${pkg.name}@${pkg.version}: the entry installs a different package or version than it claims. Regenerate the lockfile and find out who changed this line.`,
              ),
            );
          }
        }
      }
      if (pkg.checksum !== undefined) continue; // yarn berry: its checksum covers the zip it builds
      if (pkg.integrity === undefined) {
        findings.push(
          finding(
            pkg,
            "medium",
            "has no integrity hash, so a swapped tarball would install silently. Regenerate the lockfile with a current package manager.",
          ),
        );
      } else if (!pkg.integrity.split(/\s+/).some((hash) => hash.startsWith("sha512-"))) {
        findings.push(
          finding(
            pkg,
            "low",
            `integrity uses ${pkg.integrity.split("-")[0]} only (SHA-1 collisions are practical). Reinstall to record a sha512 hash.`,
          ),
        );
      }
    }
    return findings;
  };
}
