/** The shared vocabulary of the audit: what a lockfile yields and what a check reports. */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/**
 * Where a package comes from, as far as the lockfile tells. `exec` is yarn berry's
 * `exec:` protocol (a script run at install builds the package); `unknown` is any
 * other protocol: neither is the registry package of that name, so neither is fetched.
 */
export type SourceKind = "registry" | "tarball-url" | "git" | "file" | "link" | "workspace" | "exec" | "unknown";

export interface SourceLocation {
  /** Path relative to the audited directory, e.g. `package-lock.json`. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
}

/** One installed package, whichever lockfile format it came from. */
export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly source: SourceKind;
  /** The resolved URL or spec as written in the lockfile (absent when npm omits registry URLs). */
  readonly resolved?: string;
  /** Subresource-integrity string, e.g. `sha512-…`. */
  readonly integrity?: string;
  /** Yarn berry checksum (of its zip cache, so it cannot verify an npm tarball). */
  readonly checksum?: string;
  readonly hasInstallScript?: boolean;
  readonly dev?: boolean;
  /**
   * Where the package manager puts it, relative to the project, when the lockfile says:
   * `node_modules/a/node_modules/b` (npm), or the folder of a local `file:` package.
   */
  readonly installPath?: string;
  /** Shipped inside its parent's tarball (npm `inBundle`): never fetched on its own. */
  readonly bundled?: boolean;
  readonly location: SourceLocation;
}

export interface Lockfile {
  readonly file: string;
  readonly format: "npm" | "pnpm" | "yarn-classic" | "yarn-berry";
  readonly formatVersion: string;
  readonly packages: readonly LockedPackage[];
}

export interface Finding {
  /** Stable check id, e.g. `typosquat`, `install-script`. */
  readonly checkId: string;
  readonly severity: Severity;
  readonly packageName?: string;
  readonly version?: string;
  /** Why it matters and what to do next. */
  readonly message: string;
  readonly location: SourceLocation;
}

export function packageId(pkg: { readonly name: string; readonly version: string }): string {
  return `${pkg.name}@${pkg.version}`;
}

/**
 * What an entry actually installs. The integrity pins the bytes; without it the resolved
 * URL names them; without both, it is the default registry's name@version. Two entries
 * with one key install the same bytes, so content checks read them once; two entries
 * that share a name@version but not a key are different artifacts (a tampered nested copy
 * looks exactly like that) and each is checked.
 */
export function artifactKey(pkg: LockedPackage): string {
  const pin = pkg.integrity ?? pkg.resolved;
  return pin === undefined ? packageId(pkg) : `${packageId(pkg)}#${pin}`;
}
