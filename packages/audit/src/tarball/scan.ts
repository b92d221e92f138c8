import type { Finding, LockedPackage } from "../model.js";
import { mapWithConcurrency } from "../pool.js";
import { tarballUrl } from "../registry.js";
import { ANALYZER_VERSION, analyzeTarball, type TarballAnalysis } from "./analyze.js";
import type { TarballCache } from "./cache.js";
import { integrityOf, sha512Hex } from "./cache.js";
import { extractTarball } from "./extract.js";
import { type FetchLike, fetchBytes } from "./fetch.js";

export interface ScanOptions {
  readonly registry: string;
  readonly cache: TarballCache;
  readonly offline?: boolean;
  readonly concurrency?: number;
  readonly fetch?: FetchLike;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanResult {
  readonly analyses: Map<string, TarballAnalysis>;
  readonly findings: Finding[];
}

/**
 * Fetches (or reads from the cache) every registry tarball, verifies it against
 * the lockfile's integrity, and analyzes it. Per-package failures become findings;
 * nothing here throws for one bad package.
 */
export async function scanTarballs(packages: readonly LockedPackage[], options: ScanOptions): Promise<ScanResult> {
  const analyses = new Map<string, TarballAnalysis>();
  const findings: Finding[] = [];
  const targets = packages.filter((p) => p.source === "registry");
  let done = 0;
  await mapWithConcurrency(targets, options.concurrency ?? 8, async (pkg) => {
    const id = `${pkg.name}@${pkg.version}`;
    const note = (checkId: string, severity: Finding["severity"], message: string) =>
      findings.push({ checkId, severity, packageName: pkg.name, version: pkg.version, message, location: pkg.location });
    try {
      const analysis = await analyzeOne(pkg, options, note);
      if (analysis) analyses.set(id, analysis);
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
  return { analyses, findings };
}

async function analyzeOne(
  pkg: LockedPackage,
  options: ScanOptions,
  note: (checkId: string, severity: Finding["severity"], message: string) => void,
): Promise<TarballAnalysis | undefined> {
  const expected = pkg.integrity && sha512Hex(pkg.integrity) ? pkg.integrity : undefined;
  const analysisKey = `${expected ?? `${pkg.name}@${pkg.version}`}#${ANALYZER_VERSION}`;
  const cached = options.cache.getJson("analysis", analysisKey) as TarballAnalysis | undefined;
  if (cached?.analyzerVersion === ANALYZER_VERSION && expected !== undefined) return cached;

  let bytes = expected ? options.cache.get(expected) : undefined;
  if (!bytes) {
    if (options.offline) {
      note(
        "tarball-not-cached",
        "info",
        "not in the cache and --offline is set, so its code was not analyzed. Run once online to fill the cache.",
      );
      return undefined;
    }
    const url = pkg.resolved && /^https:\/\//.test(pkg.resolved) ? pkg.resolved : tarballUrl(options.registry, pkg.name, pkg.version);
    bytes = await fetchBytes(url, options.fetch ? { fetch: options.fetch } : {});
    const actual = integrityOf(bytes);
    if (expected && sha512Hex(expected) !== sha512Hex(actual)) {
      note(
        "integrity-mismatch",
        "critical",
        `the registry served a tarball whose sha512 differs from the lockfile's integrity. Do not install; find out whether the lockfile or the registry was tampered with.`,
      );
      return undefined;
    }
    options.cache.put(bytes);
  }
  const analysis = analyzeTarball(await extractTarball(bytes));
  if (analysis.manifestName !== undefined && (analysis.manifestName !== pkg.name || analysis.manifestVersion !== pkg.version)) {
    note(
      "lockfile-tampering",
      "high",
      `the tarball's package.json says ${analysis.manifestName}@${analysis.manifestVersion}, not ${pkg.name}@${pkg.version}: the lockfile entry points at a different package. Regenerate the lockfile and review who changed it.`,
    );
  }
  if (expected) options.cache.putJson("analysis", analysisKey, analysis);
  return analysis;
}
