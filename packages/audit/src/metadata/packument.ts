import { isRecord } from "../lockfiles/json.js";
import { authHeaders, type RegistryRoutes, registryFor } from "../registry.js";
import type { TarballCache } from "../tarball/cache.js";
import type { HostCircuit } from "../tarball/circuit.js";
import { type FetchLike, fetchBytes } from "../tarball/fetch.js";
import type { RetryPacing } from "../tarball/retry-after.js";

/**
 * What the metadata check needs from a registry packument, and nothing more.
 * The full document (`accept: application/json`) is required: the abbreviated
 * install form (`application/vnd.npm.install-v1+json`) drops `time`, `_npmUser`
 * and `maintainers`. Full packuments of popular packages run to tens of MB, so
 * only this slim summary is cached.
 */
export interface PackumentSummary {
  /** Publish time (ms since epoch) per version. */
  readonly published: Readonly<Record<string, number>>;
  /** Deprecation message per deprecated version. */
  readonly deprecated: Readonly<Record<string, string>>;
  /** Account that published each version (`_npmUser.name`), when the registry says. */
  readonly publisher: Readonly<Record<string, string>>;
  /** Every version the registry lists (so an unpublished one can be noticed). */
  readonly versions: readonly string[];
}

export interface PackumentSource {
  /** Default registry; scoped names use their scope's registry from `npmrc`. */
  readonly registry: string;
  /** Scoped registries and credentials from .npmrc (registry.ts `readNpmrcSettings`). */
  readonly npmrc?: RegistryRoutes;
  readonly cache: TarballCache;
  readonly fetch?: FetchLike;
  /** Share one across the run (tarballs and metadata) so a dead host is given up on once. */
  readonly circuit?: HostCircuit;
  /** Share one across the run (tarballs and metadata) so the waits busy registries ask for stay bounded in all. */
  readonly pacing?: RetryPacing;
  /** See fetch.ts; for tests and slow networks. */
  readonly idleTimeoutMs?: number;
  /** Told when caching a summary fails; the summary is returned anyway (the cache only saves time). */
  readonly onCacheError?: (error: unknown) => void;
  /** Injected clock (ms since epoch), for the cache's TTL. */
  readonly now: () => number;
  /**
   * How long a cached summary is trusted. Publish times never change, but
   * deprecations and new versions do; half a day keeps repeated CI runs off the
   * registry without hiding a deprecation for long.
   */
  readonly ttlMs?: number;
  /** Use the cache only, whatever its age. */
  readonly offline?: boolean;
}

export const DEFAULT_PACKUMENT_TTL_MS = 12 * 3600_000;

/** Registry URL of a packument: scoped names keep the `@` and encode the slash (`@scope%2fname`). */
export function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.replace("/", "%2f")}`;
}

/** Reduces a full packument to a summary; tolerant of missing fields (private registries omit some). */
export function summarizePackument(doc: unknown): PackumentSummary {
  if (!isRecord(doc) || !isRecord(doc.versions)) throw new Error('registry answer is not a packument (no "versions" object)');
  const time = isRecord(doc.time) ? doc.time : {};
  const published: Record<string, number> = {};
  const deprecated: Record<string, string> = {};
  const publisher: Record<string, string> = {};
  for (const [version, entry] of Object.entries(doc.versions)) {
    const at = time[version];
    if (typeof at === "string" && Number.isFinite(Date.parse(at))) published[version] = Date.parse(at);
    if (!isRecord(entry)) continue;
    if (typeof entry.deprecated === "string" && entry.deprecated !== "") deprecated[version] = entry.deprecated;
    if (isRecord(entry._npmUser) && typeof entry._npmUser.name === "string") publisher[version] = entry._npmUser.name;
  }
  return { published, deprecated, publisher, versions: Object.keys(doc.versions) };
}

interface CachedSummary {
  readonly fetchedAt: number;
  readonly summary: PackumentSummary;
}

/**
 * The summary for `name`: from the cache when fresh (or when offline), else from
 * the registry. Returns undefined when offline and not cached; throws on a
 * registry or parse failure (the caller turns that into a finding).
 */
export async function readPackument(name: string, source: PackumentSource): Promise<PackumentSummary | undefined> {
  const url = packumentUrl(registryFor(name, source.registry, source.npmrc), name);
  const cached = source.cache.getJson("packument", url) as CachedSummary | undefined;
  const ttl = source.ttlMs ?? DEFAULT_PACKUMENT_TTL_MS;
  if (cached && isRecord(cached.summary) && (source.offline || source.now() - cached.fetchedAt < ttl)) return cached.summary;
  if (source.offline) return undefined;
  const bytes = await fetchBytes(url, {
    headers: { accept: "application/json", ...authHeaders(url, source.npmrc) },
    maxBytes: 200 * 1024 * 1024,
    ...(source.fetch ? { fetch: source.fetch } : {}),
    ...(source.circuit ? { circuit: source.circuit } : {}),
    ...(source.pacing ? { pacing: source.pacing } : {}),
    ...(source.idleTimeoutMs !== undefined ? { idleTimeoutMs: source.idleTimeoutMs } : {}),
  });
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new Error(`${url}: the registry answered with something that is not JSON`);
  }
  const summary = summarizePackument(doc);
  try {
    source.cache.putJson("packument", url, { fetchedAt: source.now(), summary } satisfies CachedSummary);
  } catch (error) {
    source.onCacheError?.(error);
  }
  return summary;
}
