import { closeSync, openSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { RunFailure } from "./run-failure.js";

/**
 * Where the report goes: stdout, or the file --output names. `--sarif > audit.sarif` into a folder that does not
 * exist, or onto a read-only file, fails in the shell before parapet runs, and the shell's exit 1 reads in CI as
 * "findings". With --output the file is parapet's to open, and a file that cannot be written is exit 2, like any run
 * that could not do its job. The file is opened before the audit, so a bad path fails in a second, not after it.
 */
export interface ReportSink {
  /** Writes the one document of the run; a failure when it could not be written (the report is lost). */
  write(document: string): RunFailure | undefined;
  /** A terminal on the other end: colour and a progress bar make sense. */
  readonly isTerminal: boolean;
}

export const stdoutSink: ReportSink = {
  write(document) {
    // Errors on stdout (a full disk, a closed pipe) arrive as events: the parapet command handles them (output-errors.ts).
    process.stdout.write(document);
    return undefined;
  },
  get isTerminal() {
    return process.stdout.isTTY === true;
  },
};

/** The next step for each way opening or writing a file fails. */
function nextStep(code: string | undefined, path: string): string {
  switch (code) {
    case "ENOENT":
      return `Create the folder first (mkdir -p ${dirname(path)}), or give another path`;
    case "ENOTDIR":
      return "A part of the path is a file, not a folder: give another path";
    case "EISDIR":
      return "It is a folder: give a file name, such as audit.sarif, inside it";
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return "Give a path this user can write to, or make the file writable";
    case "ENOSPC":
    case "EDQUOT":
      return "Free some space where it goes";
    default:
      return "Check the path";
  }
}

function outputFailure(path: string, error: unknown): RunFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return {
    code: "PARAPET_E_AUDIT_OUTPUT",
    message: `cannot write the report to ${path} (${reason}). ${nextStep(code, path)}, then run again.`,
  };
}

/** Opens (creates or empties) the file --output names; a failure when it cannot be written. */
export function openFileSink(path: string): ReportSink | RunFailure {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (error) {
    return outputFailure(path, error);
  }
  let closed = false;
  return {
    isTerminal: false,
    write(document) {
      if (closed) return undefined;
      closed = true;
      try {
        writeFileSync(fd, document);
        closeSync(fd); // on some file systems (NFS) a lost write is only reported here
        return undefined;
      } catch (error) {
        try {
          closeSync(fd);
        } catch {
          // already closed, or failing the same way: the write's error is the one to report
        }
        return outputFailure(path, error);
      }
    },
  };
}

export function isRunFailure(value: ReportSink | RunFailure): value is RunFailure {
  return "code" in value;
}
