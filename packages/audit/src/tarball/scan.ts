import { type Finding, type LockedPackage, packageId } from "../model.js";
import { mapWithConcurrency } from "../pool.js";
import { authHeaders, type RegistryRoutes, registryFor, registryHosts, tarballUrl } from "../registry.js";
import { ANALYZER_VERSION, analyzeTarball, type TarballAnalysis } from "./analyze.js";
import { type CacheWriteGuard, createCacheWriteGuard, integrityOf, sha512Hex, type TarballCache } from "./cache.js";
import { createHostCircuit, type HostCircuit } from "./circuit.js";
import { extractTarball } from "./extract.js";
import { type FetchLike, fetchBytes } from "./fetch.js";
import { isManifestPath, MAX_MANIFEST_BYTES } from "./manifest.js";
import type { RetryPacing } from "./retry-after.js";
import { downloadVerified } from "./verified-download.js";

export interface ScanOptions {
  /** Default registry; scoped packages use their scope's registry from `npmrc`. */
  readonly registry: string;
  /** Scoped registries and credentials from .npmrc (registry.ts `readNpmrcSettings`). */
  readonly npmrc?: RegistryRoutes;
  /**
   * Hosts, besides the registries, that a lockfile `resolved` URL may be fetched from
   * (the config's allowedHosts). Any other URL is never contacted: the package is
   * fetched from its registry by name and version and checked against the integrity.
   */
  readonly allowedHosts?: readonly string[];
  readonly cache: TarballCache;
  readonly offline?: boolean;
  readonly concurrency?: number;
  readonly fetch?: FetchLike;
  /** Share one across the run (tarballs and metadata) so a dead host is given up on once. */
  readonly circuit?: HostCircuit;
  /** Share one across the run (tarballs and metadata) so the waits busy registries ask for stay bounded in all. */
  readonly pacing?: RetryPacing;
  /** See fetch.ts; for tests and slow networks. */
  readonly idleTimeoutMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * The key of each package's analysis (default `name@version`). Two entries of one
   * name@version can be different artifacts (a tampered nested copy): the audit keys by
   * model.ts `artifactKey` so each keeps its own analysis.
   */
  readonly keyOf?: (pkg: LockedPackage) => string;
}

export interface ScanResult {
  /** By `keyOf` (default `name@version`). */
  readonly analyses: Map<string, TarballAnalysis>;
  readonly findings: Finding[];
  /** Problems with the run itself (cache not writable, hosts given up on), one line each. */
  readonly notices: string[];
  /** Registry tarballs the scan set out to analyze (each artifact once). */
  readonly attempted: number;
}

type Note = (checkId: string, severity: Finding["severity"], message: string) => void;

interface Run extends ScanOptions {
  readonly circuit: HostCircuit;
  readonly cacheWrites: CacheWriteGuard;
  readonly fetchableHosts: ReadonlySet<string>;
}

/**
 * Fetches (or reads from the cache) every registry tarball, verifies it against
 * the lockfile's integrity, and analyzes it. Per-package failures become findings;
 * nothing here throws for one bad package.
 */
export async function scanTarballs(packages: readonly LockedPackage[], options: ScanOptions): Promise<ScanResult> {
  const analyses = new Map<string, TarballAnalysis>();
  const findings: Finding[] = [];
  const run: Run = {
    ...options,
    circuit: options.circuit ?? createHostCircuit(),
    cacheWrites: createCacheWriteGuard(options.cache),
    fetchableHosts: registryHosts(options.registry, options.npmrc),
  };
  const targets = packages.filter((p) => p.source === "registry");
  let done = 0;
  await mapWithConcurrency(targets, options.concurrency ?? 8, async (pkg) => {
    const note: Note = (checkId, severity, message) =>
      findings.push({ checkId, severity, packageName: pkg.name, version: pkg.version, message, location: pkg.location });
    try {
      const analysis = await analyzeOne(pkg, run, note);
      if (analysis) {
        analyses.set((options.keyOf ?? packageId)(pkg), analysis);
        checkAnalysis(pkg, analysis, note);
      }
    } catch (error) {
      note(
        "tarball-unreadable",
        "medium",
        `could not analyze the tarball (${error instanceof Error ? error.message : String(error)}). Re-run; if it persists, inspect the package by hand.`,
      );
    } finally {
      options.onProgress?.(++done, targets.length);
    }
  });
  return { analyses, findings, notices: [...run.cacheWrites.notices(), ...run.circuit.takeNotices()], attempted: targets.length };
}

interface CachedAnalysis {
  /** The sha512 of the bytes this analysis was made from. */
  readonly integrity: string;
  readonly analysis: TarballAnalysis;
}

/**
 * The analysis of the tarball the lockfile pins. Cached analyses are keyed by the
 * sha512 alone, so they are shared between packages: trust one only for that exact
 * hash, and leave every comparison with the lockfile entry to checkAnalysis, which
 * runs whether the analysis came from the cache or not.
 */
async function analyzeOne(pkg: LockedPackage, run: Run, note: Note): Promise<TarballAnalysis | undefined> {
  const expected = pkg.integrity === undefined ? undefined : sha512Hex(pkg.integrity);
  const analysisKey = expected === undefined ? undefined : `sha512:${expected}#${ANALYZER_VERSION}`;
  const cached = analysisKey === undefined ? undefined : readCachedAnalysis(run.cache, analysisKey, expected!);
  if (cached) return cached;
  const bytes = (expected === undefined ? undefined : run.cache.get(pkg.integrity!)) ?? (await download(pkg, run, note));
  if (!bytes) return undefined;
  const analysis = analyzeTarball(await extractTarball(bytes));
  if (analysisKey !== undefined)
    run.cacheWrites.write(() =>
      run.cache.putJson("analysis", analysisKey, { integrity: integrityOf(bytes), analysis } satisfies CachedAnalysis),
    );
  return analysis;
}

/** A cached analysis, only if it was made from bytes with exactly the `expected` sha512 (hex). */
function readCachedAnalysis(cache: TarballCache, key: string, expected: string): TarballAnalysis | undefined {
  const cached = cache.getJson("analysis", key) as Partial<CachedAnalysis> | undefined;
  if (typeof cached?.integrity !== "string" || sha512Hex(cached.integrity) !== expected) return undefined;
  return cached.analysis?.analyzerVersion === ANALYZER_VERSION ? cached.analysis : undefined;
}

/** Fetches the tarball and checks it against the lockfile; undefined when it must not be analyzed. */
async function download(pkg: LockedPackage, run: Run, note: Note): Promise<Uint8Array | undefined> {
  if (run.offline) {
    note(
      "tarball-not-cached",
      "info",
      "not in the cache and --offline is set, so its code was not analyzed. Run once online to fill the cache.",
    );
    return undefined;
  }
  const url = sourceUrl(pkg, run);
  // Every algorithm npm would check, not only sha512: a sha1-only pin missed is a tarball npm would refuse.
  const fetched = await downloadVerified(pkg.integrity, (again) =>
    fetchBytes(url, {
      // The second copy confirms a mismatch: a cache on the way (a proxy, a CDN) must not hand back the first one.
      headers: { ...authHeaders(url, run.npmrc), ...(again ? { "cache-control": "no-cache", pragma: "no-cache" } : {}) },
      circuit: run.circuit,
      ...(run.pacing ? { pacing: run.pacing } : {}),
      ...(run.fetch ? { fetch: run.fetch } : {}),
      ...(run.idleTimeoutMs !== undefined ? { idleTimeoutMs: run.idleTimeoutMs } : {}),
    }),
  );
  if (fetched.kind === "mismatch") {
    note(
      "integrity-mismatch",
      "critical",
      `the registry served a tarball whose hash differs from the lockfile's integrity (${pkg.integrity?.split("-")[0]}), the same bytes on a second fetch, so it is not a download cut short. Do not install; find out whether the lockfile or the registry was tampered with.`,
    );
    return undefined;
  }
  if (fetched.alteredFirst) {
    note(
      "tarball-altered-in-transit",
      "high",
      "the first copy fetched missed the lockfile's integrity and was not a download cut short (its bytes differ, not just end early); a second fetch matched and is what was analyzed. Something between this machine and the registry (a proxy, a mirror, a cache, an attacker on the path) served other bytes once: npm refuses such a copy, but find out what served it before the next install.",
    );
  }
  const bytes = fetched.bytes;
  run.cacheWrites.write(() => run.cache.put(bytes));
  return bytes;
}

/**
 * Where to fetch from: the lockfile's `resolved` URL only when it is https on a
 * registry or allowed host, since a pull request controls the lockfile and must
 * not make CI contact a host of its choosing (lockfile-tampering reports the URL).
 */
function sourceUrl(pkg: LockedPackage, run: Run): string {
  const fromRegistry = tarballUrl(registryFor(pkg.name, run.registry, run.npmrc), pkg.name, pkg.version);
  if (pkg.resolved === undefined || !/^https:\/\//.test(pkg.resolved)) return fromRegistry;
  let resolved: URL;
  try {
    resolved = new URL(pkg.resolved);
  } catch {
    return fromRegistry;
  }
  const allowed = run.fetchableHosts.has(resolved.host) || (run.allowedHosts ?? []).includes(resolved.hostname);
  return allowed ? pkg.resolved : fromRegistry;
}

/** What a tarball says about the lockfile entry; the same whether its analysis was cached or fresh. */
function checkAnalysis(pkg: LockedPackage, analysis: TarballAnalysis, note: Note): void {
  if (analysis.manifestName !== undefined && (analysis.manifestName !== pkg.name || analysis.manifestVersion !== pkg.version)) {
    note(
      "lockfile-tampering",
      "high",
      `the tarball's package.json says ${analysis.manifestName}@${analysis.manifestVersion}, not ${pkg.name}@${pkg.version}: the lockfile entry points at a different package. Regenerate the lockfile and review who changed it.`,
    );
  }
  const unread: string[] = [];
  const manifests = analysis.partlyAnalyzed.filter(isManifestPath);
  const code = analysis.partlyAnalyzed.filter((path) => !isManifestPath(path));
  if (code.length > 0) {
    const shown = code.slice(0, 3).join(", ");
    const more = code.length > 3 ? ` and ${code.length - 3} more` : "";
    unread.push(`${code.length} code file(s) over 3 MB were read only at their start and end (${shown}${more})`);
  }
  if (manifests.length > 0)
    unread.push(
      `package.json over ${MAX_MANIFEST_BYTES / (1024 * 1024)} MB could not be read whole, so its install scripts are unknown (${manifests.slice(0, 3).join(", ")})`,
    );
  if (analysis.truncated)
    unread.push("the tarball is over 20,000 entries, 64 MB of code or 512 MB unpacked, and the files past that point were not read");
  if (unread.length > 0) {
    note(
      "tarball-partly-analyzed",
      "medium",
      `${unread.join("; ")}. Code can hide in the part that was not read: review those files, or ignore this finding for the package in .parapet-audit.json once you have.`,
    );
  }
}
