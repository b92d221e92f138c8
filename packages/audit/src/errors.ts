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
  | "PARAPET_E_AUDIT_USAGE";

export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string) {
    super(message);
    this.name = "AuditError";
    this.code = code;
  }
}

export function lockfileError(file: string, line: number | undefined, problem: string): AuditError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new AuditError(
    "PARAPET_E_AUDIT_LOCKFILE_PARSE",
    `${where}: ${problem}. Regenerate the lockfile with your package manager (e.g. \`npm install --package-lock-only\`) and review the diff.`,
  );
}
