import { ProjectFileError } from "./project-file.js";

/**
 * Every error the audit shows a user comes from here, with a stable code
 * (PARAPET_E_AUDIT_…) and a message that says what to do next. The CLI prints
 * `message` only, never a stack trace.
 */

export type AuditErrorCode =
  | "PARAPET_E_AUDIT_NO_LOCKFILE"
  | "PARAPET_E_AUDIT_LOCKFILE_PARSE"
  | "PARAPET_E_AUDIT_LOCKFILE_VERSION"
  | "PARAPET_E_AUDIT_CONFIG"
  | "PARAPET_E_AUDIT_OSV"
  | "PARAPET_E_AUDIT_READ"
  | "PARAPET_E_AUDIT_USAGE"
  /** Not one tarball could be read (online: fetched; --offline: in the cache): no package's code was checked. */
  | "PARAPET_E_AUDIT_NO_TARBALLS"
  /** Some tarballs could not be read: those packages' code was not checked. */
  | "PARAPET_E_AUDIT_UNCHECKED"
  /** Not one packument could be read: the registry did not answer (with --no-tarballs, nothing remote was checked). */
  | "PARAPET_E_AUDIT_REGISTRY_UNREACHABLE"
  /** The lockfile lists no package although package.json declares dependencies. */
  | "PARAPET_E_AUDIT_LOCKFILE_EMPTY"
  /** The report could not be written where --output points. */
  | "PARAPET_E_AUDIT_OUTPUT"
  /** Ended by SIGINT or SIGTERM before it finished. */
  | "PARAPET_E_AUDIT_INTERRUPTED"
  /** A bug: the message asks for a report. */
  | "PARAPET_E_AUDIT_INTERNAL";

export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string) {
    super(message);
    this.name = "AuditError";
    this.code = code;
  }
}

/** How to regenerate a lockfile, by its file name: a pnpm or yarn user must not be told to run npm. */
export function regenerateCommand(file: string): string {
  if (file.endsWith("pnpm-lock.yaml")) return "`pnpm install --lockfile-only`";
  if (file.endsWith("yarn.lock")) return "`yarn install`, or `yarn install --mode update-lockfile` with yarn 2+";
  return "`npm install --package-lock-only`";
}

export function lockfileError(file: string, line: number | undefined, problem: string): AuditError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new AuditError(
    "PARAPET_E_AUDIT_LOCKFILE_PARSE",
    `${where}: ${problem}. Regenerate the lockfile with your package manager (${regenerateCommand(file)}) and review the diff.`,
  );
}

/** A file the audit must read (lockfile, config, package.json) exists but cannot be read. */
export function readError(file: string, error: unknown): AuditError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    error instanceof ProjectFileError && error.code === undefined
      ? error.message
      : code === "EISDIR"
        ? "is a directory, not a file"
        : code === "EACCES"
          ? "is not readable (permission denied)"
          : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new AuditError("PARAPET_E_AUDIT_READ", `${file}: ${reason}. Replace it with a readable file (or remove it) and re-run.`);
}
