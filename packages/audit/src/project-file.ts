import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * Reads a file of the audited project (lockfile, package.json, config,
 * .npmrc) as the untrusted input it is: the project may be a stranger's pull
 * request, run in CI with secrets in the environment.
 *
 * - Only a regular file is read. `package-lock.json` as a FIFO hung the audit
 *   for good, and as a link to /dev/zero it read 7 GB before anything could
 *   check a size; the size is checked on the open file, before reading.
 * - With `within`, a symbolic link must stay inside that folder: a link to
 *   /proc/self/environ or ~/.ssh would have the parser's error quote the start
 *   of a secret into a public CI log.
 */
export interface ProjectFileOptions {
  readonly maxBytes: number;
  /** The folder a symbolic link must resolve inside (the project). Omit for files outside any project (~/.npmrc). */
  readonly within?: string;
}

export class ProjectFileError extends Error {
  constructor(
    message: string,
    /** The errno code of a failed open or read (ENOENT, EACCES, EISDIR), when the system gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "ProjectFileError";
  }
}

/** Config files (.npmrc, .yarnrc.yml, .parapet-audit.json) are kilobytes; a megabyte is far beyond any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

// O_NONBLOCK: opening a FIFO for reading waits for a writer; with it, open returns and fstat says what it is.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export function readProjectFile(path: string, options: ProjectFileOptions): Buffer {
  if (options.within !== undefined) checkLinkStaysWithin(path, options.within);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw systemError(error);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new ProjectFileError("is a directory, not a file", "EISDIR");
    if (!stats.isFile()) throw new ProjectFileError("is not a regular file (a device, FIFO or socket); refusing to read it");
    if (stats.size > options.maxBytes) {
      throw new ProjectFileError(`is ${stats.size} bytes, over the ${options.maxBytes}-byte limit; refusing to read it`);
    }
    // One byte more than the size: a file that grows while read is cut at the limit, not read without end.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size + 1, options.maxBytes + 1));
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > options.maxBytes) throw new ProjectFileError(`grew past the ${options.maxBytes}-byte limit while read`);
    return buffer.subarray(0, length);
  } catch (error) {
    throw error instanceof ProjectFileError ? error : systemError(error);
  } finally {
    closeSync(fd);
  }
}

function checkLinkStaysWithin(path: string, folder: string): void {
  let isLink: boolean;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch (error) {
    throw systemError(error);
  }
  if (!isLink) return;
  let target: string;
  let root: string;
  try {
    target = realpathSync(path);
    root = realpathSync(resolve(folder));
  } catch (error) {
    throw systemError(error);
  }
  const inside = relative(root, target);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new ProjectFileError(
      "is a symbolic link to a file outside the project; refusing to read it (a link can point an audit at /proc/self/environ or a home folder)",
    );
  }
}

function systemError(error: unknown): ProjectFileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new ProjectFileError(error instanceof Error ? error.message : String(error), code);
}
