import type { Finding } from "../model.js";
import { type Check, manifestLine } from "./context.js";

/**
 * Check `dependency-confusion`: a package that should come from the private registry
 * (configured internal scope or name) but resolves from a public one. An attacker who
 * publishes the same name publicly with a higher version wins the resolution (Birsan, 2021).
 */
export function createDependencyConfusionCheck(publicHosts: readonly string[] = ["registry.npmjs.org", "registry.yarnpkg.com"]): Check {
  return function checkDependencyConfusion({ packages, config, manifest }) {
    const findings: Finding[] = [];
    const isInternal = (name: string) =>
      config.internalPackages.includes(name) || config.internalScopes.some((scope) => name.startsWith(`${scope}/`));
    for (const pkg of packages) {
      if (!isInternal(pkg.name) || pkg.source === "workspace" || pkg.source === "link" || pkg.source === "file") continue;
      let host: string | undefined;
      try {
        host = pkg.resolved ? new URL(pkg.resolved).hostname : undefined;
      } catch {
        host = undefined;
      }
      // No `resolved` means "the default registry", which is public unless .npmrc maps the scope.
      const fromPublic = host === undefined ? true : publicHosts.includes(host);
      if (!fromPublic) continue;
      const line = manifestLine(manifest, pkg.name);
      findings.push({
        checkId: "dependency-confusion",
        severity: "critical",
        packageName: pkg.name,
        version: pkg.version,
        message: `internal package "${pkg.name}" resolves from the public registry (${host ?? "default registry, no resolved URL"}). Map its scope to your private registry in .npmrc (e.g. "@acme:registry=https://npm.acme.internal"), reinstall, and check what the public package contains.`,
        location: host === undefined && manifest && line !== undefined ? { file: manifest.file, line } : pkg.location,
      });
    }
    return findings;
  };
}
