import { PUBLIC_REGISTRY_HOSTS } from "../config.js";
import type { Finding, LockedPackage } from "../model.js";
import { type Check, manifestLine } from "./context.js";

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Where an entry comes from: the host in its lockfile URL, or, when the lockfile records
 * none (yarn berry never does; npm and pnpm may not), the registry the project's
 * configuration maps the name to. `public` is false only when that registry is known
 * and not one of `publicHosts`.
 */
function originOf(
  pkg: LockedPackage,
  publicHosts: readonly string[],
  configuredRegistry: ((pkg: LockedPackage) => string | undefined) | undefined,
): { public: boolean; described: string } {
  const host = hostOf(pkg.resolved);
  if (host !== undefined) return { public: publicHosts.includes(host), described: host };
  const configured = configuredRegistry?.(pkg);
  if (configured === undefined)
    return { public: true, described: "no host in the lockfile and no registry configured for it, so the public default" };
  const configuredHost = hostOf(configured);
  // A mapping we cannot parse (e.g. "${NPM_REGISTRY}") is still a deliberate mapping away from the default.
  return {
    public: configuredHost !== undefined && publicHosts.includes(configuredHost),
    described: `no host in the lockfile; the project's registry configuration sends it to ${configured}`,
  };
}

/** The configuration that fixes it, in each package manager's own syntax. */
function mappingAdvice(name: string): string {
  if (!name.startsWith("@"))
    return 'Point installs at your private registry ("registry=https://npm.acme.internal/" in .npmrc; npmRegistryServer in .yarnrc.yml for yarn berry)';
  const scope = name.slice(0, name.indexOf("/"));
  return `Map its scope to your private registry ("${scope}:registry=https://npm.acme.internal/" in .npmrc; npmScopes.${scope.slice(1)}.npmRegistryServer in .yarnrc.yml for yarn berry)`;
}

/**
 * Check `dependency-confusion`: a package that should come from the private registry
 * (configured internal scope or name) but resolves from a public one. An attacker who
 * publishes the same name publicly with a higher version wins the resolution (Birsan, 2021).
 */
export function createDependencyConfusionCheck(publicHosts: readonly string[] = PUBLIC_REGISTRY_HOSTS): Check {
  return function checkDependencyConfusion({ packages, config, manifest, configuredRegistry }) {
    const findings: Finding[] = [];
    const isInternal = (name: string) =>
      config.internalPackages.includes(name) || config.internalScopes.some((scope) => name.startsWith(`${scope}/`));
    for (const pkg of packages) {
      if (!isInternal(pkg.name) || pkg.bundled || pkg.source === "workspace" || pkg.source === "link" || pkg.source === "file") continue;
      const origin = originOf(pkg, publicHosts, configuredRegistry);
      if (!origin.public) continue;
      const line = manifestLine(manifest, pkg.name);
      const fromLockfileHost = hostOf(pkg.resolved) !== undefined;
      findings.push({
        checkId: "dependency-confusion",
        severity: "critical",
        packageName: pkg.name,
        version: pkg.version,
        message: `internal package "${pkg.name}" resolves from a public registry (${origin.described}). ${mappingAdvice(pkg.name)}, reinstall, and check what the public package contains.`,
        location: !fromLockfileHost && manifest && line !== undefined ? { file: manifest.file, line } : pkg.location,
      });
    }
    return findings;
  };
}
