import { Parser, type ReadEntry } from "tar";

export interface TarballFile {
  /** Path inside the package, with npm's leading `package/` removed. */
  readonly path: string;
  readonly text: string;
  /** True when the file was longer than the per-file cap and only its head was kept. */
  readonly truncated: boolean;
}

export interface ExtractedTarball {
  readonly files: readonly TarballFile[];
  /** Entries refused because their path escapes the package (`../`, absolute paths). */
  readonly unsafePaths: readonly string[];
  readonly totalBytes: number;
  readonly truncated: boolean;
}

export interface ExtractLimits {
  /** Per-file cap: malware hides in code, not in 20 MB data files. */
  readonly maxFileBytes?: number;
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
 * Reads a .tgz into memory without writing anything to disk and without running
 * anything. Entries that are not regular files (symlinks, devices) are ignored.
 */
export function extractTarball(gzipped: Uint8Array, limits: ExtractLimits = {}): Promise<ExtractedTarball> {
  const maxFileBytes = limits.maxFileBytes ?? 2 * 1024 * 1024;
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
        const chunks: Buffer[] = [];
        let kept = 0;
        let cut = false;
        entry.on("data", (chunk: Buffer) => {
          totalBytes += chunk.length;
          if (totalBytes > maxTotalBytes) truncated = true;
          if (kept >= maxFileBytes) {
            cut = true;
            return;
          }
          const slice = chunk.subarray(0, maxFileBytes - kept);
          if (slice.length < chunk.length) cut = true;
          chunks.push(slice);
          kept += slice.length;
        });
        entry.on("end", () => {
          files.push({ path, text: Buffer.concat(chunks).toString("utf8"), truncated: cut });
        });
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
