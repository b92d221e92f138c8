import type { Finding, LockedPackage } from "../model.js";
import { mapWithConcurrency } from "../pool.js";
import { registryFor } from "../registry.js";
import { createCacheWriteGuard } from "../tarball/cache.js";
import { createHostCircuit } from "../tarball/circuit.js";
import { FetchError } from "../tarball/fetch.js";
import { type PackumentSource, type PackumentSummary, readPackument } from "./packument.js";

export interface CollectResult {
  readonly packuments: Map<string, PackumentSummary>;
  readonly findings: Finding[];
  /** Names that were neither cached nor fetched (offline). */
  readonly skipped: number;
  /** Distinct registry names the run set out to read. */
  readonly attempted: number;
  /** Of those, names whose packument could not be read (a metadata-unavailable finding each). */
  readonly unavailable: number;
  /** Problems with the run itself (cache not writable, hosts given up on), one line each. */
  readonly notices: string[];
}

/**
 * True when the lockfile says `pkg` comes from the registry that was asked: then a
 * 404 means the registry removed the whole package. When the lockfile points
 * elsewhere (a private registry .npmrc does not map), a 404 only says we asked the wrong place.
 */
function expectedAt(pkg: LockedPackage, registry: string): boolean {
  if (pkg.resolved === undefined) return true;
  try {
    return new URL(pkg.resolved).host === new URL(registry).host;
  } catch {
    return false;
  }
}

function failureFinding(pkg: LockedPackage, error: unknown, source: PackumentSource): Finding {
  const base = { packageName: pkg.name, version: pkg.version, location: pkg.location };
  const registry = registryFor(pkg.name, source.registry, source.npmrc);
  if (error instanceof FetchError && error.status === 404 && expectedAt(pkg, registry)) {
    return {
      ...base,
      checkId: "version-unpublished",
      severity: "high",
      message: `${registry} has no package named ${pkg.name} at all (HTTP 404). npm removes malware by taking the whole package down, and a name nobody owns can be registered by anyone. If it is a private package, map its scope to your registry in .npmrc (@scope:registry=…); otherwise find out why it was removed and replace it.`,
    };
  }
  return {
    ...base,
    checkId: "metadata-unavailable",
    severity: "info",
    message: `registry metadata could not be read (${error instanceof Error ? error.message : String(error)}), so release age, deprecation and publisher were not checked. Re-run; a private package needs its registry configured in .npmrc.`,
  };
}

/**
 * Reads one packument per registry package name, with bounded concurrency.
 * A failure for one name becomes a finding; nothing here throws.
 */
export async function collectPackuments(
  packages: readonly LockedPackage[],
  source: PackumentSource,
  concurrency = 8,
  onProgress?: (done: number, total: number) => void,
): Promise<CollectResult> {
  const first = new Map<string, LockedPackage>();
  for (const pkg of packages) if (pkg.source === "registry" && !first.has(pkg.name)) first.set(pkg.name, pkg);
  const cacheWrites = createCacheWriteGuard(source.cache);
  const circuit = source.circuit ?? createHostCircuit();
  const onCacheError = (error: unknown) => {
    cacheWrites.record(error);
    source.onCacheError?.(error);
  };
  const guarded: PackumentSource = { ...source, circuit, onCacheError };
  const packuments = new Map<string, PackumentSummary>();
  const findings: Finding[] = [];
  let skipped = 0;
  let done = 0;
  await mapWithConcurrency([...first.values()], concurrency, async (pkg) => {
    try {
      const summary = await readPackument(pkg.name, guarded);
      if (summary) packuments.set(pkg.name, summary);
      else skipped++;
    } catch (error) {
      findings.push(failureFinding(pkg, error, source));
    } finally {
      onProgress?.(++done, first.size);
    }
  });
  const unavailable = findings.filter((f) => f.checkId === "metadata-unavailable").length;
  const notices = [...cacheWrites.notices(), ...circuit.takeNotices()];
  return { packuments, findings, skipped, attempted: first.size, unavailable, notices };
}
