import { Parser, type ReadEntry } from "tar";

export interface TarballFile {
  /** Path inside the package, with npm's leading `package/` removed. */
  readonly path: string;
  /** The whole file, or its first `maxFileBytes` when it is longer than head and tail together. */
  readonly text: string;
  /** The last `maxTailBytes` of a file whose middle was skipped (starts mid-line). */
  readonly tail?: string;
  /** True when bytes between `text` and `tail` were never read. */
  readonly truncated: boolean;
}

export interface ExtractedTarball {
  readonly files: readonly TarballFile[];
  /** Entries refused because their path escapes the package (`../`, absolute paths). */
  readonly unsafePaths: readonly string[];
  readonly totalBytes: number;
  /** True when the entry or total-size cap was hit: files after that point were not read at all. */
  readonly truncated: boolean;
}

export interface ExtractLimits {
  /** Per-file head kept: malware hides in code, not in 20 MB data files. */
  readonly maxFileBytes?: number;
  /**
   * Per-file tail kept as well: padding a file past the head and appending the
   * payload is the obvious evasion, and the end is where a payload gets glued on.
   */
  readonly maxTailBytes?: number;
  /** Per-tarball cap on bytes read into memory (a decompression bomb stops here). */
  readonly maxTotalBytes?: number;
  readonly maxEntries?: number;
}

/** Files worth reading: code and the manifests that launch it. Images, fonts and maps are skipped. */
const TEXT_FILE = /(\.(c|m)?js|\.jsx|\.ts|\.tsx|\.sh|\.bat|\.cmd|\.ps1|\.py|\.json|\.node\.js)$|(^|\/)[^./]+$/i;
const SKIPPED = /(\.d\.ts|\.map|\.min\.css)$/i;

function isUnsafe(path: string): boolean {
  return path.startsWith("/") || /^[a-z]:/i.test(path) || path.split(/[\\/]/).includes("..");
}

/**
 * Keeps a file's first `headBytes` and last `tailBytes`, whatever its length:
 * memory stays bounded and the middle is all that can go unread.
 */
function keepHeadAndTail(headBytes: number, tailBytes: number) {
  const head: Buffer[] = [];
  let headSize = 0;
  let tail: Buffer[] = [];
  let tailSize = 0;
  let skipped = false;
  return {
    add(chunk: Buffer) {
      let rest = chunk;
      if (headSize < headBytes) {
        const slice = rest.subarray(0, headBytes - headSize);
        head.push(slice);
        headSize += slice.length;
        rest = rest.subarray(slice.length);
      }
      if (rest.length === 0) return;
      tail.push(rest);
      tailSize += rest.length;
      if (tailSize > 2 * tailBytes) {
        // Compact now and then, so the array stays short and the memory near tailBytes.
        const joined = Buffer.concat(tail);
        tail = [Buffer.from(joined.subarray(joined.length - tailBytes))];
        tailSize = tailBytes;
        skipped = true;
      }
    },
    finish(): Omit<TarballFile, "path"> {
      let end = Buffer.concat(tail);
      if (end.length > tailBytes) {
        end = end.subarray(end.length - tailBytes);
        skipped = true;
      }
      if (!skipped) return { text: Buffer.concat([...head, end]).toString("utf8"), truncated: false };
      return { text: Buffer.concat(head).toString("utf8"), tail: end.toString("utf8"), truncated: true };
    },
  };
}

/**
 * Reads a .tgz into memory without writing anything to disk and without running
 * anything. Entries that are not regular files (symlinks, devices) are ignored.
 */
export function extractTarball(gzipped: Uint8Array, limits: ExtractLimits = {}): Promise<ExtractedTarball> {
  const maxFileBytes = limits.maxFileBytes ?? 2 * 1024 * 1024;
  const maxTailBytes = limits.maxTailBytes ?? 1024 * 1024;
  const maxTotalBytes = limits.maxTotalBytes ?? 64 * 1024 * 1024;
  const maxEntries = limits.maxEntries ?? 20_000;
  return new Promise((resolve, reject) => {
    const files: TarballFile[] = [];
    const unsafePaths: string[] = [];
    let totalBytes = 0;
    let entries = 0;
    let truncated = false;
    const parser = new Parser({
      onReadEntry(entry: ReadEntry) {
        entries++;
        const path = entry.path.replace(/^[^/]+\//, "");
        if (isUnsafe(entry.path) || isUnsafe(path)) unsafePaths.push(entry.path);
        const wanted =
          entry.type === "File" && !isUnsafe(path) && entries <= maxEntries && TEXT_FILE.test(path) && !SKIPPED.test(path) && !truncated;
        if (!wanted) {
          entry.resume();
          return;
        }
        const file = keepHeadAndTail(maxFileBytes, maxTailBytes);
        entry.on("data", (chunk: Buffer) => {
          totalBytes += chunk.length;
          if (totalBytes > maxTotalBytes) truncated = true;
          file.add(chunk);
        });
        entry.on("end", () => files.push({ path, ...file.finish() }));
      },
    });
    parser.on("error", (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
    parser.on("warn", (_code: string, message: string) => {
      if (/invalid|unexpected|TAR_BAD_ARCHIVE/i.test(message)) reject(new Error(`not a valid tarball: ${message}`));
    });
    parser.on("end", () => {
      if (entries === 0) reject(new Error("not a valid tarball (no entries could be read)"));
      else resolve({ files, unsafePaths, totalBytes, truncated: truncated || entries > maxEntries });
    });
    parser.end(Buffer.from(gzipped));
  });
}
