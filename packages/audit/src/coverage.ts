import type { AuditReport } from "./audit.js";
import type { RunFailure } from "./run-failure.js";

/**
 * What a run set out to check and could not. A package whose tarball was not read is a package the gate knows nothing
 * about: each such package is a finding (it says why), and the run fails with exit 2 however low its severity, since a
 * gate that passes then tells CI the dependencies are clean. A package accepted with an `ignore` rule (a reviewed
 * decision, with its reason) no longer counts. Metadata is read beside the code, so only a registry that answered for
 * no package at all fails the run: with --no-tarballs, the metadata is all the registry was asked for.
 */

type Env = Readonly<Record<string, string | undefined>>;

export interface CoverageContext {
  readonly offline: boolean;
  /** The environment the run was started with, to name a proxy setting the requests did not use. */
  readonly env: Env;
}

/** The findings that each say "this package's code was not read", and why. */
const CODE_NOT_READ = ["tarball-unreadable", "tarball-not-cached"] as const;

export function coverageFailure(report: AuditReport, context: CoverageContext): RunFailure | undefined {
  return noTarballRead(report, context) ?? noMetadataRead(report, context) ?? someTarballsUnread(report, context);
}

function noTarballRead(report: AuditReport, { offline, env }: CoverageContext): RunFailure | undefined {
  const tarballs = report.tarballs;
  if (tarballs === undefined || tarballs.attempted === 0 || tarballs.analyzed > 0) return undefined;
  const message = offline
    ? `the cache holds none of the ${tarballs.attempted} tarballs, so no package's code was checked (--offline reads only the cache). ` +
      "Run once online, or restore the cache (--cache-dir, $PARAPET_CACHE_DIR), then run again."
    : `none of the ${tarballs.attempted} tarballs could be fetched, so no package's code was checked. ${reachRegistry(env, "--no-tarballs")}`;
  return { code: "PARAPET_E_AUDIT_NO_TARBALLS", message };
}

function noMetadataRead(report: AuditReport, { env }: CoverageContext): RunFailure | undefined {
  const metadata = report.metadata;
  if (metadata === undefined || metadata.attempted === 0 || metadata.unavailable < metadata.attempted) return undefined;
  const alone = report.tarballs === undefined ? ", and with --no-tarballs nothing else was read from the registry" : "";
  return {
    code: "PARAPET_E_AUDIT_REGISTRY_UNREACHABLE",
    message:
      `could not read the registry metadata of any of the ${metadata.attempted} packages, so release age, deprecation and ` +
      `publisher were not checked${alone}. ${reachRegistry(env, "--no-metadata")}`,
  };
}

function someTarballsUnread(report: AuditReport, { offline }: CoverageContext): RunFailure | undefined {
  const tarballs = report.tarballs;
  if (tarballs === undefined) return undefined;
  const unread = report.findings.filter((f) => (CODE_NOT_READ as readonly string[]).includes(f.checkId));
  if (unread.length === 0) return undefined;
  const ids = CODE_NOT_READ.filter((id) => unread.some((f) => f.checkId === id));
  const next = offline
    ? "Run once online to fill the cache, then run again"
    : "Run again; if it persists, check that the registry serves them (a private scope needs its registry and login in .npmrc)";
  return {
    code: "PARAPET_E_AUDIT_UNCHECKED",
    message:
      `${unread.length} of the ${tarballs.attempted} tarballs could not be ${offline ? "read from the cache" : "fetched"}, ` +
      `so those packages' code was not checked (the ${ids.join(" and ")} findings name them and say why). ${next}. ` +
      `To accept a package that cannot be read here, ignore its ${ids[0]} finding in .parapet-audit.json, with the reason.`,
  };
}

/** What to do when the registry did not answer; `skip` is the option that leaves it out on purpose. */
function reachRegistry(env: Env, skip: string): string {
  const proxy = unusedProxy(env);
  return (
    "Check that this machine reaches the registry (--registry, npm_config_registry, .npmrc), or point --registry at a " +
    `mirror it does reach (a Verdaccio, Artifactory or Nexus proxy registry)${proxy ? `. ${proxy}` : ""}; then run again. ` +
    `${skip} skips this check on purpose.`
  );
}

/** Variables that name an HTTP proxy, in the order curl and npm prefer them. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] as const;
const NPM_PROXY_VARIABLES = ["npm_config_https_proxy", "npm_config_proxy"] as const;

/**
 * A proxy the machine is set up for and the requests did not go through. Node's fetch connects directly: it reads the
 * proxy variables only when NODE_USE_ENV_PROXY=1 (Node 24.5 and later), and npm's own proxy setting never. Behind a
 * proxy-only network every request fails, and "check the network" alone would not say why.
 */
function unusedProxy(env: Env): string | undefined {
  const npmProxy = NPM_PROXY_VARIABLES.find((name) => env[name]);
  const proxy = PROXY_VARIABLES.find((name) => env[name]);
  if (proxy !== undefined && env.NODE_USE_ENV_PROXY !== "1")
    return `${proxy} is set, but the requests did not use it: Node reads proxy variables only with NODE_USE_ENV_PROXY=1 (Node 24.5 or later)`;
  if (proxy === undefined && npmProxy !== undefined)
    return `${npmProxy} is set, but parapet audit does not read npm's proxy setting: set HTTPS_PROXY and NODE_USE_ENV_PROXY=1 (Node 24.5 or later)`;
  return undefined;
}
