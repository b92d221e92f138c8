import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Content-addressed store: a tarball lives under the sha512 of its bytes, so a
 * cached file is verified by its own name and can never be served for another
 * package. Analyses are cached beside it, keyed by the same hash.
 */
export interface TarballCache {
  readonly dir: string;
  get(integrity: string): Uint8Array | undefined;
  put(bytes: Uint8Array): string;
  getJson(kind: string, key: string): unknown;
  putJson(kind: string, key: string, value: unknown): void;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARAPET_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "parapet", "tarballs");
}

/**
 * `sha512-<base64>` → hex digest; undefined unless the SRI string holds exactly one sha512. With two, npm
 * accepts bytes that match either, so neither names the bytes installed: a lockfile pinning a benign
 * tarball's hash beside a hijacked one's must not have the benign tarball's cached analysis stand in.
 */
export function sha512Hex(integrity: string): string | undefined {
  const sris = integrity.split(/\s+/).filter((h) => h.startsWith("sha512-"));
  return sris.length === 1 ? Buffer.from(sris[0]!.slice(7), "base64").toString("hex") : undefined;
}

/** SRI algorithms npm's ssri accepts, weakest first. */
const SRI_ALGORITHMS = ["sha1", "sha256", "sha384", "sha512"] as const;

/**
 * Whether `bytes` match an SRI string as npm checks it (ssri): against the strongest
 * algorithm listed, any of that algorithm's hashes matching. Undefined when no hash
 * uses a known algorithm, so there is nothing to verify against. A sha1-only entry
 * (old lockfiles) is still a pin: bytes that miss it are not what npm would install.
 */
export function matchesIntegrity(bytes: Uint8Array, integrity: string): boolean | undefined {
  const hashes = integrity
    .split(/\s+/)
    .map((sri) => ({ algorithm: sri.slice(0, sri.indexOf("-")), digest: sri.slice(sri.indexOf("-") + 1) }));
  const strongest = SRI_ALGORITHMS.findLast((algorithm) => hashes.some((h) => h.algorithm === algorithm));
  if (strongest === undefined) return undefined;
  const actual = createHash(strongest).update(bytes).digest("base64");
  // Compare decoded digests: the same hash may be written with or without base64 padding.
  return hashes.some((h) => h.algorithm === strongest && Buffer.from(h.digest.split("?")[0]!, "base64").toString("base64") === actual);
}

export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

function safeKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * `mkdir -p`, one level at a time. Node's own `{ recursive: true }` never returns under /proc: procfs
 * answers ENOENT to a mkdir there, Node makes the parent (EEXIST) and tries again, forever, at full CPU
 * (`--cache-dir /proc/x` hung the audit). Here a parent is made at most once, and the child's error stands.
 */
function makeDirectory(dir: string, makeParent = true): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return; // made by now, perhaps by another run sharing the cache
    if (code !== "ENOENT" || !makeParent || dirname(dir) === dir) throw error;
    makeDirectory(dirname(dir));
    makeDirectory(dir, false);
  }
}

export function createTarballCache(dir: string = defaultCacheDir()): TarballCache {
  const pathFor = (hex: string) => join(dir, "sha512", hex.slice(0, 2), hex);
  const writeAtomically = (path: string, data: string | Uint8Array) => {
    makeDirectory(dirname(path));
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, path); // readers never see half a file
  };
  return {
    dir,
    get(integrity) {
      const hex = sha512Hex(integrity);
      if (!hex) return undefined;
      try {
        const bytes = readFileSync(pathFor(hex));
        // Re-verify: a cache on disk is only as trustworthy as its hash check.
        return integrityOf(bytes) === `sha512-${Buffer.from(hex, "hex").toString("base64")}` ? bytes : undefined;
      } catch {
        return undefined;
      }
    },
    put(bytes) {
      const integrity = integrityOf(bytes);
      writeAtomically(pathFor(sha512Hex(integrity)!), bytes);
      return integrity;
    },
    getJson(kind, key) {
      try {
        return JSON.parse(readFileSync(join(dir, kind, safeKey(key)), "utf8"));
      } catch {
        return undefined;
      }
    },
    putJson(kind, key, value) {
      writeAtomically(join(dir, kind, safeKey(key)), JSON.stringify(value));
    },
  };
}

/**
 * Guards a run's cache writes. The cache only saves time, so a failing write (a
 * read-only disk, `--cache-dir` pointing at a file) must not cost a package its
 * analysis; the first failure becomes one notice for the whole run.
 */
export interface CacheWriteGuard {
  /** Notes a failed write (for writes made elsewhere, e.g. by readPackument). */
  record(error: unknown): void;
  /** Runs a write, keeping its failure instead of throwing it. */
  write(action: () => void): void;
  /** At most one line: the first failure, and what to do about it. */
  notices(): string[];
}

export function createCacheWriteGuard(cache: TarballCache): CacheWriteGuard {
  let problem: string | undefined;
  // The error code alone (ENOTDIR, EACCES): the same for every write, so the tarball and metadata phases word it alike.
  const record = (error: unknown) => {
    problem ??= (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
  };
  return {
    record,
    write(action) {
      try {
        action();
      } catch (error) {
        record(error);
      }
    },
    notices() {
      if (problem === undefined) return [];
      return [
        `the cache at ${cache.dir} cannot be written (${problem}), so nothing was cached and the next run downloads everything again. Point --cache-dir or PARAPET_CACHE_DIR at a writable folder.`,
      ];
    },
  };
}
