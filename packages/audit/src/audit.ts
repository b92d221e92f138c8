import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Check, type CheckContext, type ProjectManifest, uniqueBy } from "./checks/context.js";
import { createDependencyConfusionCheck } from "./checks/dependency-confusion.js";
import { createInstallScriptCheck } from "./checks/install-scripts.js";
import { createKnownVulnerabilityCheck } from "./checks/known-vulnerabilities.js";
import { createLockfileIntegrityCheck } from "./checks/lockfile-integrity.js";
import { createMaliciousCodeCheck } from "./checks/malicious-code.js";
import { createReleaseMetadataCheck } from "./checks/release-metadata.js";
import { mappedRegistry, npmrcMapping, type RegistryMappings, readYarnrcMapping } from "./checks/scope-registry.js";
import { createTyposquatCheck } from "./checks/typosquat.js";
import { type AuditConfig, readConfig } from "./config.js";
import { AuditError, regenerateCommand } from "./errors.js";
import { readLockfiles } from "./lockfiles/index.js";
import { collectPackuments } from "./metadata/collect.js";
import { artifactKey, type Finding, type LockedPackage, type Lockfile, packageId, severityRank } from "./model.js";
import { loadOsv } from "./osv.js";
import { readProjectFile } from "./project-file.js";
import { type NpmrcConfig, readNpmrcConfig, withDefaultRegistry } from "./registry.js";
import { createTarballCache, type TarballCache } from "./tarball/cache.js";
import { createHostCircuit } from "./tarball/circuit.js";
import type { FetchLike } from "./tarball/fetch.js";
import { createRetryPacing } from "./tarball/retry-after.js";
import { type ScanOptions, type ScanResult, scanTarballs } from "./tarball/scan.js";

export interface AuditOptions {
  readonly dir: string;
  readonly config?: AuditConfig;
  /** Defaults to what npm would use in `dir` (see registry.ts). */
  readonly registry?: string;
  readonly cache?: TarballCache;
  readonly offline?: boolean;
  /** OSV JSON file, folder, or zip export. */
  readonly osvPath?: string;
  /** Fetch and analyze tarballs (default true). */
  readonly tarballs?: boolean;
  /** Read registry metadata for release age, deprecation and publisher checks (default true; skipped offline). */
  readonly metadata?: boolean;
  /** Clock for release-age and cache TTLs (ms since epoch). */
  readonly now?: () => number;
  readonly concurrency?: number;
  readonly fetch?: FetchLike;
  /** How the run waits before trying a request again (default: a timer); tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
  /** The user's home directory, for ~/.npmrc and ~/.yarnrc.yml (default: $HOME, else os.homedir()). */
  readonly home?: string;
  /** Environment npm's config is read with: `npm_config_*`, `${VAR}` in .npmrc (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface AuditReport {
  readonly dir: string;
  readonly lockfiles: ReadonlyArray<{ file: string; format: Lockfile["format"]; formatVersion: string; packages: number }>;
  readonly packages: number;
  readonly findings: readonly Finding[];
  /** Findings hidden by `ignore` rules in the config. */
  readonly suppressed: number;
  /** Things the reader should know about the run itself (skipped checks). */
  readonly notices: readonly string[];
  /**
   * Registry tarballs the run set out to analyze, and how many it did (from the network or the cache); absent with
   * `tarballs: false`. None analyzed out of some, online, means the registry could not be read: nothing was checked.
   */
  readonly tarballs?: { readonly attempted: number; readonly analyzed: number };
  /**
   * Registry names whose metadata the run set out to read, and how many could not be read; absent when metadata was
   * not read (`metadata: false`, offline). All of them unavailable means the registry did not answer.
   */
  readonly metadata?: { readonly attempted: number; readonly unavailable: number };
}

/** A package.json is kilobytes; a megabyte or more is not one npm would install from either. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

function readManifest(dir: string): ProjectManifest | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    const text = readProjectFile(file, { maxBytes: MAX_MANIFEST_BYTES, within: dir }).toString("utf8");
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null ? { file: "package.json", text, json: json as Record<string, unknown> } : undefined;
  } catch {
    return undefined; // unreadable or not JSON: npm itself will refuse it; nothing to point findings at
  }
}

/** The fields of package.json whose packages npm installs by default. */
const INSTALLED_DEPENDENCIES = ["dependencies", "devDependencies", "optionalDependencies"] as const;

/**
 * A lockfile of no packages in a project that declares some: every check would pass on an empty list, and a gate
 * reading that as clean has checked nothing. npm ci refuses such a lockfile too ("not in sync"), so it is an error.
 */
function checkLockfileCoversManifest(lockfiles: readonly Lockfile[], manifest: ProjectManifest | undefined): void {
  if (manifest === undefined || lockfiles.some((l) => l.packages.length > 0)) return;
  const declared = new Set<string>();
  for (const field of INSTALLED_DEPENDENCIES) {
    const deps = manifest.json[field];
    if (typeof deps === "object" && deps !== null && !Array.isArray(deps)) for (const name of Object.keys(deps)) declared.add(name);
  }
  if (declared.size === 0) return;
  const files = lockfiles.map((l) => l.file).join(", ");
  throw new AuditError(
    "PARAPET_E_AUDIT_LOCKFILE_EMPTY",
    `${files} lists no packages, but package.json declares ${declared.size} ${declared.size === 1 ? "dependency" : "dependencies"}, so there is nothing to check: the lockfile is out of date or was emptied. Regenerate it with your package manager (${regenerateCommand(lockfiles[0]?.file ?? "")}), review the diff and commit it.`,
  );
}

/** Fetched tarballs only: bundled dependencies ship inside their parent's tarball. */
function isFetched(pkg: LockedPackage): boolean {
  return pkg.source === "registry" && !pkg.bundled;
}

/** Each package's registry, read from the configuration of the package manager that wrote its lockfile. */
function createRegistryLookup(lockfiles: readonly Lockfile[], mappings: RegistryMappings): (pkg: LockedPackage) => string | undefined {
  const berryFiles = new Set(lockfiles.filter((l) => l.format === "yarn-berry").map((l) => l.file));
  return (pkg) => mappedRegistry(berryFiles.has(pkg.location.file) ? mappings.yarn : mappings.npm, pkg.name);
}

/**
 * Fetches and analyzes each distinct artifact once, keyed by artifact: a tampered nested
 * copy beside the genuine one shares its name@version but is fetched from its own URL
 * and verified against its own integrity.
 */
function scanArtifacts(packages: readonly LockedPackage[], options: ScanOptions): Promise<ScanResult> {
  return scanTarballs(uniqueBy(packages.filter(isFetched), artifactKey), { ...options, keyOf: artifactKey });
}

/** What reading the registries added: findings, notices, and the data and checks that use it. */
interface RemoteResult {
  readonly findings: Finding[];
  readonly notices: string[];
  readonly checks: Check[];
  analyses?: NonNullable<CheckContext["analyses"]>;
  packuments?: NonNullable<CheckContext["packuments"]>;
  tarballs?: { readonly attempted: number; readonly analyzed: number };
  metadata?: { readonly attempted: number; readonly unavailable: number };
}

/**
 * Fetches tarballs and packuments. One host circuit serves both phases, so a dead
 * registry is given up on once per run, and one pacing, so the waits busy registries
 * ask for stay within one bound for the run; `npmrc` routes each scope to its registry with
 * its login, the same configuration the dependency-confusion check reads.
 */
async function readRemote(
  packages: readonly LockedPackage[],
  options: AuditOptions,
  npmrc: NpmrcConfig,
  config: AuditConfig,
): Promise<RemoteResult> {
  const result: RemoteResult = { findings: [], notices: [], checks: [] };
  const settings = await withDefaultRegistry(npmrc, options.registry === undefined ? {} : { registry: options.registry });
  const now = options.now ?? Date.now;
  const source = {
    registry: settings.registry,
    npmrc: settings,
    circuit: createHostCircuit(),
    pacing: createRetryPacing({ now, ...(options.sleep ? { wait: options.sleep } : {}) }),
    cache: options.cache ?? createTarballCache(),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const concurrency = options.concurrency ?? 8;
  if (options.tarballs !== false) {
    const scan = await scanArtifacts(packages, {
      ...source,
      allowedHosts: config.allowedHosts,
      concurrency,
      ...(options.offline ? { offline: true } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    result.findings.push(...scan.findings);
    result.notices.push(...scan.notices);
    result.analyses = scan.analyses;
    result.tarballs = { attempted: scan.attempted, analyzed: scan.analyses.size };
    result.checks.push(createMaliciousCodeCheck());
  }
  if (options.metadata === false) return result;
  if (options.offline) {
    result.notices.push("registry metadata checks (release age, deprecation, publisher change) were skipped: --offline.");
    return result;
  }
  const collected = await collectPackuments(packages.filter(isFetched), { ...source, now }, concurrency, options.onProgress);
  result.findings.push(...collected.findings);
  result.notices.push(...collected.notices);
  result.packuments = collected.packuments;
  result.metadata = { attempted: collected.attempted, unavailable: collected.unavailable };
  result.checks.push(createReleaseMetadataCheck(now));
  return result;
}

/** Runs every check on the project in `dir`. Throws AuditError only for unusable input (no lockfile, bad config). */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  if (options.registry !== undefined && !/^https?:\/\/[^/\s]/.test(options.registry))
    throw new AuditError(
      "PARAPET_E_AUDIT_USAGE",
      `registry must be an http(s) URL such as https://registry.npmjs.org/ (got "${options.registry}")`,
    );
  const config = options.config ?? readConfig(options.dir);
  const lockfiles = readLockfiles(options.dir);
  // Every install location: npm ci installs each from its own resolved URL and integrity.
  const packages = lockfiles.flatMap((l) => l.packages);
  const manifest = readManifest(options.dir);
  checkLockfileCoversManifest(lockfiles, manifest);
  const env = options.env ?? process.env;
  const home = options.home ?? env.HOME ?? homedir();
  const npmrc = readNpmrcConfig(options.dir, { home, env });
  const mappings = { npm: npmrcMapping(npmrc), yarn: readYarnrcMapping(options.dir, home) };
  const checks: Check[] = [
    createTyposquatCheck(),
    createDependencyConfusionCheck(),
    createLockfileIntegrityCheck(),
    createInstallScriptCheck(),
  ];
  if (options.osvPath !== undefined) checks.push(createKnownVulnerabilityCheck(loadOsv(options.osvPath)));
  let context: CheckContext = {
    packages,
    config,
    configuredRegistry: createRegistryLookup(lockfiles, mappings),
    ...(manifest ? { manifest } : {}),
  };
  const findings: Finding[] = [];
  const notices: string[] = [];
  let tarballs: AuditReport["tarballs"];
  let metadata: AuditReport["metadata"];
  if (options.tarballs !== false || options.metadata !== false) {
    const {
      findings: found,
      notices: noted,
      checks: remoteChecks,
      tarballs: counted,
      metadata: read,
      ...data
    } = await readRemote(packages, options, npmrc, config);
    tarballs = counted;
    metadata = read;
    findings.push(...found);
    notices.push(...noted);
    checks.push(...remoteChecks);
    context = { ...context, ...data };
  }
  for (const check of checks) findings.push(...check(context));
  const isIgnored = (f: Finding) =>
    config.ignore.some(
      (rule) => rule.check === f.checkId && rule.package === f.packageName && (rule.version === undefined || rule.version === f.version),
    );
  const kept = findings.filter((f) => !isIgnored(f));
  kept.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.packageName ?? "").localeCompare(b.packageName ?? ""));
  return {
    dir: options.dir,
    lockfiles: lockfiles.map((l) => ({ file: l.file, format: l.format, formatVersion: l.formatVersion, packages: l.packages.length })),
    packages: uniqueBy(packages, packageId).length,
    findings: kept,
    suppressed: findings.length - kept.length,
    // The tarball and metadata phases word a shared problem (an unwritable cache) alike: say it once.
    notices: [...new Set(notices)],
    ...(tarballs ? { tarballs } : {}),
    ...(metadata ? { metadata } : {}),
  };
}
