import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Check, CheckContext, ProjectManifest } from "./checks/context.js";
import { createDependencyConfusionCheck } from "./checks/dependency-confusion.js";
import { createInstallScriptCheck } from "./checks/install-scripts.js";
import { createKnownVulnerabilityCheck } from "./checks/known-vulnerabilities.js";
import { createLockfileIntegrityCheck } from "./checks/lockfile-integrity.js";
import { createMaliciousCodeCheck } from "./checks/malicious-code.js";
import { createReleaseMetadataCheck } from "./checks/release-metadata.js";
import { createTyposquatCheck } from "./checks/typosquat.js";
import { type AuditConfig, readConfig } from "./config.js";
import { readLockfiles } from "./lockfiles/index.js";
import { collectPackuments } from "./metadata/collect.js";
import { type Finding, type LockedPackage, type Lockfile, packageId, severityRank } from "./model.js";
import { loadOsv } from "./osv.js";
import { resolveRegistry } from "./registry.js";
import { createTarballCache, type TarballCache } from "./tarball/cache.js";
import type { FetchLike } from "./tarball/fetch.js";
import { scanTarballs } from "./tarball/scan.js";

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
  readonly onProgress?: (done: number, total: number) => void;
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
}

function readManifest(dir: string): ProjectManifest | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null ? { file: "package.json", text, json: json as Record<string, unknown> } : undefined;
  } catch {
    return undefined; // npm itself will refuse it; nothing to point findings at
  }
}

/** One entry per name@version: the same package in two places is audited once. */
function unique(lockfiles: readonly Lockfile[]): LockedPackage[] {
  const seen = new Map<string, LockedPackage>();
  for (const lockfile of lockfiles) for (const pkg of lockfile.packages) if (!seen.has(packageId(pkg))) seen.set(packageId(pkg), pkg);
  return [...seen.values()];
}

/** Runs every check on the project in `dir`. Throws AuditError only for unusable input (no lockfile, bad config). */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const config = options.config ?? readConfig(options.dir);
  const lockfiles = readLockfiles(options.dir);
  const packages = unique(lockfiles);
  const manifest = readManifest(options.dir);
  const checks: Check[] = [
    createTyposquatCheck(),
    createDependencyConfusionCheck(),
    createLockfileIntegrityCheck(),
    createInstallScriptCheck(),
  ];
  if (options.osvPath !== undefined) checks.push(createKnownVulnerabilityCheck(loadOsv(options.osvPath)));
  const findings: Finding[] = [];
  let context: CheckContext = { packages, config, ...(manifest ? { manifest } : {}) };
  const notices: string[] = [];
  const wantsTarballs = options.tarballs !== false;
  const wantsMetadata = options.metadata !== false;
  if (wantsTarballs || wantsMetadata) {
    const registry = options.registry ?? (await resolveRegistry(options.dir));
    const cache = options.cache ?? createTarballCache();
    const concurrency = options.concurrency ?? 8;
    if (wantsTarballs) {
      const scan = await scanTarballs(packages, {
        registry,
        cache,
        concurrency,
        ...(options.offline ? { offline: true } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      findings.push(...scan.findings);
      context = { ...context, analyses: scan.analyses };
      checks.push(createMaliciousCodeCheck());
    }
    if (wantsMetadata && options.offline) {
      notices.push("registry metadata checks (release age, deprecation, publisher change) were skipped: --offline.");
    } else if (wantsMetadata) {
      const now = options.now ?? Date.now;
      const collected = await collectPackuments(
        packages,
        { registry, cache, now, ...(options.fetch ? { fetch: options.fetch } : {}) },
        concurrency,
        options.onProgress,
      );
      findings.push(...collected.findings);
      context = { ...context, packuments: collected.packuments };
      checks.push(createReleaseMetadataCheck(now));
    }
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
    packages: packages.length,
    findings: kept,
    suppressed: findings.length - kept.length,
    notices,
  };
}
