import type { AuditConfig } from "../config.js";
import type { PackumentSummary } from "../metadata/packument.js";
import type { Finding, LockedPackage } from "../model.js";
import type { TarballAnalysis } from "../tarball/analyze.js";

/** What every check sees: the installed packages (one per name@version) and the project's policy. */
export interface CheckContext {
  readonly packages: readonly LockedPackage[];
  readonly config: AuditConfig;
  /** The project's own package.json, when present. */
  readonly manifest?: ProjectManifest;
  /** Tarball analyses by `name@version`, when tarballs were read. */
  readonly analyses?: ReadonlyMap<string, TarballAnalysis>;
  /** Registry metadata by package name, when it was read. */
  readonly packuments?: ReadonlyMap<string, PackumentSummary>;
}

export interface ProjectManifest {
  readonly file: string;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

export type Check = (context: CheckContext) => Finding[];

/** Line of `"name":` inside package.json, for pointing a finding at a direct dependency. */
export function manifestLine(manifest: ProjectManifest | undefined, name: string): number | undefined {
  if (!manifest) return undefined;
  const index = manifest.text.split("\n").findIndex((line) => line.trimStart().startsWith(`${JSON.stringify(name)}:`));
  return index === -1 ? undefined : index + 1;
}
