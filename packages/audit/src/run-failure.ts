import { AuditError, type AuditErrorCode } from "./errors.js";

/**
 * Why a run could not do its job (exit 2): the line printed on stderr, and what --json and
 * --sarif carry in place of, or beside, the report, so a CI step reading the file sees it too.
 */
export interface RunFailure {
  readonly code: AuditErrorCode;
  readonly message: string;
}

/** A thrown error as the user should see it: our own message, a file system error with a next step, or a bug to report. */
export function failureOf(error: unknown): RunFailure {
  if (error instanceof AuditError) return { code: error.code, message: error.message };
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === "string" && /^E[A-Z]+$/.test(errno) && error instanceof Error)
    return {
      code: "PARAPET_E_AUDIT_READ",
      message: `${error.message}. Check that the path exists, is the right kind of file, and is readable.`,
    };
  return {
    code: "PARAPET_E_AUDIT_INTERNAL",
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}. This is a bug in parapet audit; please report it with the command you ran (PARAPET_DEBUG=1 prints the stack trace).`,
  };
}
