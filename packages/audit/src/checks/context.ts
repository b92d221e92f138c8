import type { AuditConfig } from "../config.js";
import type { PackumentSummary } from "../metadata/packument.js";
import type { Finding, LockedPackage } from "../model.js";
import type { TarballAnalysis } from "../tarball/analyze.js";

/**
 * What every check sees: the installed packages and the project's policy. `packages` has
 * one entry per install location, because a package manager installs each from its own
 * resolved URL and integrity; a check that only depends on name@version (or on the
 * artifact) reads each once.
 */
export interface CheckContext {
  readonly packages: readonly LockedPackage[];
  readonly config: AuditConfig;
  /** The project's own package.json, when present. */
  readonly manifest?: ProjectManifest;
  /** Tarball analyses by artifact (model.ts `artifactKey`), when tarballs were read. */
  readonly analyses?: ReadonlyMap<string, TarballAnalysis>;
  /**
   * The registry the package manager that wrote the package's lockfile would fetch it
   * from, per the project's and user's configuration; undefined when nothing is
   * configured (the public default).
   */
  readonly configuredRegistry?: (pkg: LockedPackage) => string | undefined;
  /** Registry metadata by package name, when it was read. */
  readonly packuments?: ReadonlyMap<string, PackumentSummary>;
}

export interface ProjectManifest {
  readonly file: string;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

export type Check = (context: CheckContext) => Finding[];

/** Entries with distinct `key(pkg)`, first one kept: for checks that need not repeat themselves per location. */
export function uniqueBy(packages: readonly LockedPackage[], key: (pkg: LockedPackage) => string): LockedPackage[] {
  const seen = new Map<string, LockedPackage>();
  for (const pkg of packages) if (!seen.has(key(pkg))) seen.set(key(pkg), pkg);
  return [...seen.values()];
}

/**
 * `at node_modules/a/node_modules/b: ` when the install location is not the obvious one, so
 * a reader can tell which of two copies of a version a finding is about, and where a
 * local package lives on disk.
 */
export function installedAt(pkg: LockedPackage): string {
  return pkg.installPath === undefined || pkg.installPath === `node_modules/${pkg.name}` ? "" : `at ${shownPath(pkg.installPath)}: `;
}

/** Characters of an install path a message shows from each end; no filesystem holds a path much longer than both. */
const SHOWN_PATH_END = 120;

/**
 * A v1 lockfile nests entries, so a 1 MB file 20,000 levels deep spells install paths of 300 KB each, one per
 * entry: written out whole, the messages came to gigabytes and the report could not be rendered. Past twice
 * `SHOWN_PATH_END` the path is shown by its two ends, which still tell the copies apart.
 */
function shownPath(path: string): string {
  if (path.length <= 2 * SHOWN_PATH_END) return path;
  const levels = path.split("node_modules/").length - 1;
  return `${path.slice(0, SHOWN_PATH_END)}…(${levels} levels)…${path.slice(-SHOWN_PATH_END)}`;
}

/** Line of `"name":` inside package.json, for pointing a finding at a direct dependency. */
export function manifestLine(manifest: ProjectManifest | undefined, name: string): number | undefined {
  if (!manifest) return undefined;
  const index = manifest.text.split("\n").findIndex((line) => line.trimStart().startsWith(`${JSON.stringify(name)}:`));
  return index === -1 ? undefined : index + 1;
}
