import type { Finding, LockedPackage } from "../model.js";
import { mapWithConcurrency } from "../pool.js";
import { type PackumentSource, type PackumentSummary, readPackument } from "./packument.js";

export interface CollectResult {
  readonly packuments: Map<string, PackumentSummary>;
  readonly findings: Finding[];
  /** Names that were neither cached nor fetched (offline). */
  readonly skipped: number;
}

/**
 * Reads one packument per registry package name, with bounded concurrency.
 * A failure for one name becomes an info finding; nothing here throws.
 */
export async function collectPackuments(
  packages: readonly LockedPackage[],
  source: PackumentSource,
  concurrency = 8,
  onProgress?: (done: number, total: number) => void,
): Promise<CollectResult> {
  const first = new Map<string, LockedPackage>();
  for (const pkg of packages) if (pkg.source === "registry" && !first.has(pkg.name)) first.set(pkg.name, pkg);
  const packuments = new Map<string, PackumentSummary>();
  const findings: Finding[] = [];
  let skipped = 0;
  let done = 0;
  await mapWithConcurrency([...first.values()], concurrency, async (pkg) => {
    try {
      const summary = await readPackument(pkg.name, source);
      if (summary) packuments.set(pkg.name, summary);
      else skipped++;
    } catch (error) {
      findings.push({
        checkId: "metadata-unavailable",
        severity: "info",
        packageName: pkg.name,
        version: pkg.version,
        message: `registry metadata could not be read (${error instanceof Error ? error.message : String(error)}), so release age, deprecation and publisher were not checked. Re-run; a private package needs its registry configured in .npmrc.`,
        location: pkg.location,
      });
    } finally {
      onProgress?.(++done, first.size);
    }
  });
  return { packuments, findings, skipped };
}
