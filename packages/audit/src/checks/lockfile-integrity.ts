import { PUBLIC_REGISTRY_HOSTS } from "../config.js";
import type { Finding, LockedPackage, Severity } from "../model.js";
import { type Check, installedAt } from "./context.js";

function finding(pkg: LockedPackage, severity: Severity, message: string): Finding {
  // Name the install location, so two copies of one version can be told apart, unless the message already does.
  const where = pkg.installPath !== undefined && message.includes(pkg.installPath) ? "" : installedAt(pkg);
  return {
    checkId: "lockfile-tampering",
    severity,
    packageName: pkg.name,
    version: pkg.version,
    message: `${where}${message}`,
    location: pkg.location,
  };
}

/** The file name a registry gives a tarball: `<base>-<version>.tgz` under `/<name>/-/`. */
function expectedTarballPath(name: string, version: string): string {
  const base = name.startsWith("@") ? name.slice(name.indexOf("/") + 1) : name;
  return `/${name}/-/${base}-${version}.tgz`;
}

/**
 * Whether a registry tarball path names exactly `name@version`:
 * `<base>/<name>/-/<base-name>-<version>.tgz`, where `<base>` is the registry's own path
 * prefix (empty on npm and its public mirrors, `/api/npm/npm-remote` on Artifactory,
 * `/repository/npm-group` on Nexus). The base is whatever precedes the name, so it must
 * not read as part of a package path itself: with an `@scope` segment there,
 * `/@evil/lodash/-/lodash-4.17.21.tgz` (another package's tarball) would pass for lodash.
 * Undefined when the path is not valid percent-encoding, which no package manager writes.
 */
export function tarballPathNames(host: string, pathname: string, name: string, version: string): boolean | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const expected = expectedTarballPath(name, version);
  if (!path.endsWith(expected)) return false;
  const base = path.slice(0, path.length - expected.length);
  if (PUBLIC_REGISTRY_HOSTS.includes(host)) return base === "";
  return base.split("/").every((segment) => segment !== "-" && !segment.startsWith("@"));
}

/**
 * Check `lockfile-tampering`: a lockfile is code review's blind spot (thousands of
 * generated lines), so a malicious pull request can point an entry at an attacker's
 * host or tarball and nobody reads it (Liran Tal, "lockfile injection", 2019).
 */
export function createLockfileIntegrityCheck(): Check {
  return function checkLockfileIntegrity({ packages, config }) {
    const findings: Finding[] = [];
    const { allowedHosts } = config;
    for (const pkg of packages) {
      // A bundled dependency ships inside its parent's tarball (checked with the parent);
      // npm never fetches it, so it has no resolved URL or integrity of its own to check.
      if (pkg.source === "workspace" || pkg.source === "link" || pkg.bundled) continue;
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
      if (pkg.source === "exec" || pkg.source === "unknown") {
        const how =
          pkg.source === "exec"
            ? "is built by a script yarn runs at install (exec: protocol)"
            : "is resolved through a protocol parapet does not know";
        findings.push(
          finding(
            pkg,
            "high",
            `${how}: ${pkg.resolved}. It is not the registry package of that name, so its code was not fetched or analyzed. Replace it with a registry version, or review what it installs and ignore this finding.`,
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
      if (pkg.resolved !== undefined && /^https?:/.test(pkg.resolved)) findings.push(...checkResolvedUrl(pkg, pkg.resolved, allowedHosts));
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

/** Host, transport and tarball path of an http(s) `resolved` URL. */
function checkResolvedUrl(pkg: LockedPackage, resolved: string, allowedHosts: readonly string[]): Finding[] {
  let url: URL;
  try {
    url = new URL(resolved);
  } catch {
    return [finding(pkg, "high", `resolved URL "${resolved}" is not a valid URL. Regenerate the lockfile and review the diff.`)];
  }
  const findings: Finding[] = [];
  if (url.protocol !== "https:") {
    findings.push(
      finding(
        pkg,
        "high",
        `resolved over plain HTTP (${resolved}): anyone on the network path can swap the tarball. Use an https registry and regenerate the lockfile.`,
      ),
    );
  }
  if (!allowedHosts.includes(url.hostname)) {
    findings.push(
      finding(
        pkg,
        "high",
        `resolved from "${url.hostname}", which is not in allowedHosts (${allowedHosts.join(", ")}). If this is your private registry, add it to allowedHosts in .parapet-audit.json; otherwise the lockfile was tampered with.`,
      ),
    );
    return findings;
  }
  if (pkg.source !== "registry") return findings;
  const names = tarballPathNames(url.hostname, url.pathname, pkg.name, pkg.version);
  if (names === undefined) {
    findings.push(
      finding(
        pkg,
        "high",
        `resolved URL ${JSON.stringify(resolved)} has a malformed percent-encoding that no package manager writes: the entry was edited by hand. Regenerate the lockfile and find out who changed this line.`,
      ),
    );
  } else if (!names) {
    findings.push(
      finding(
        pkg,
        "critical",
        `resolved tarball ${url.pathname} does not match ${pkg.name}@${pkg.version}: the entry installs a different package or version than it claims. Regenerate the lockfile and find out who changed this line.`,
      ),
    );
  }
  return findings;
}
