import { existsSync, type Stats, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AuditError, readError } from "../errors.js";
import type { Lockfile } from "../model.js";
import { readProjectFile } from "../project-file.js";
import { parseNpmLockfile } from "./npm.js";
import { parsePnpmLockfile } from "./pnpm.js";
import { parseYarnLockfile } from "./yarn.js";

/** In npm's own order of precedence: a shrinkwrap wins over package-lock. */
const LOCKFILES = [
  { file: "npm-shrinkwrap.json", parse: parseNpmLockfile },
  { file: "package-lock.json", parse: parseNpmLockfile },
  { file: "pnpm-lock.yaml", parse: parsePnpmLockfile },
  { file: "yarn.lock", parse: parseYarnLockfile },
] as const;

/** Lockfiles are untrusted input; 200 MB is far beyond any real one and stops a memory bomb. */
const MAX_LOCKFILE_BYTES = 200 * 1024 * 1024;

export function parseLockfile(file: string, text: string): Lockfile {
  const known = LOCKFILES.find((l) => file === l.file || file.endsWith(`/${l.file}`));
  if (!known) {
    throw new AuditError(
      "PARAPET_E_AUDIT_LOCKFILE_PARSE",
      `${file}: unknown lockfile type. Supported: ${LOCKFILES.map((l) => l.file).join(", ")}.`,
    );
  }
  return known.parse(file, text.replace(/^\uFEFF/, ""));
}

/**
 * `parapet audit package-lock.json` (a file, not its folder) and a mistyped folder were both told "no lockfile in …
 * Commit one", which sends the user after the wrong problem: say what the path is instead.
 */
function checkProjectDir(dir: string): void {
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch {
    throw new AuditError("PARAPET_E_AUDIT_NO_LOCKFILE", `${dir}: no such folder. Give the folder that holds the lockfile.`);
  }
  if (!stats.isDirectory())
    throw new AuditError(
      "PARAPET_E_AUDIT_NO_LOCKFILE",
      `${dir} is a file, not a folder. Give the folder that holds the lockfile: parapet audit ${dirname(dir)}`,
    );
}

/** Finds and parses every lockfile in `dir`. Throws a clear error when there is none. */
export function readLockfiles(dir: string): Lockfile[] {
  checkProjectDir(dir);
  const found = LOCKFILES.filter((l) => existsSync(join(dir, l.file)));
  if (found.length === 0) {
    throw new AuditError(
      "PARAPET_E_AUDIT_NO_LOCKFILE",
      `no lockfile in ${dir} (looked for ${LOCKFILES.map((l) => l.file).join(", ")}). Commit one: without it, installs are not reproducible and cannot be audited.`,
    );
  }
  // A shrinkwrap makes package-lock.json irrelevant to installs.
  const used = found.some((l) => l.file === "npm-shrinkwrap.json") ? found.filter((l) => l.file !== "package-lock.json") : found;
  return used.map((l) => {
    let buffer: Buffer;
    try {
      buffer = readProjectFile(join(dir, l.file), { maxBytes: MAX_LOCKFILE_BYTES, within: dir });
    } catch (error) {
      throw readError(l.file, error);
    }
    return l.parse(l.file, buffer.toString("utf8").replace(/^\uFEFF/, ""));
  });
}
