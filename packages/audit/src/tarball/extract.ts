import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { isManifestPath, MAX_MANIFEST_BYTES } from "./manifest.js";

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
  /** True when a cap (entries, bytes read, bytes inflated) was hit: files after that point were not read at all. */
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
  /**
   * Head kept of a `package.json` instead: a manifest is only readable whole (JSON), and one padded past
   * `maxFileBytes` with its `scripts` after the padding would otherwise read as a manifest without scripts.
   */
  readonly maxManifestBytes?: number;
  /** Per-tarball cap on bytes of the files kept in memory. */
  readonly maxTotalBytes?: number;
  /**
   * Per-tarball cap on bytes decompressed, skipped files included: a
   * decompression bomb (gzip inflates zeros ~1000×, so a 100 MB download can
   * hold 100 GB) stops here, after a second or so, instead of costing minutes.
   */
  readonly maxInflatedBytes?: number;
  /** Entries read at most; the archive is not read further. */
  readonly maxEntries?: number;
}

/** Unsafe paths kept for the report: enough to show; a million of them must not fill memory. */
const MAX_UNSAFE_PATHS = 100;

/** Files worth reading: code and the manifests that launch it. Images, fonts and maps are skipped. */
const TEXT_FILE = /(\.(c|m)?js|\.jsx|\.ts|\.tsx|\.sh|\.bat|\.cmd|\.ps1|\.py|\.json|\.node\.js|\.gyp)$|(^|\/)[^./]+$/i;
const SKIPPED = /(\.d\.ts|\.map|\.min\.css)$/i;

/** Entry types node-tar unpacks as regular files: `0`, the pre-POSIX `\\0`, and `7` (contiguous). */
const REGULAR_FILE = new Set(["File", "OldFile", "ContiguousFile"]);

/**
 * Where npm writes an entry, as node-tar does with pacote's `strip: 1`: the first segment (`package/`, or any
 * other name) goes, and empty and `.` segments vanish when the path is resolved, so `package/./package.json`
 * and `package//package.json` are both the package.json npm reads. An entry of one segment is not written.
 */
function installedPath(entryPath: string): string | undefined {
  const parts = entryPath
    .split("/")
    .slice(1)
    .filter((part) => part !== "" && part !== ".");
  return parts.length === 0 ? undefined : parts.join("/");
}

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
 *
 * It gunzips on its own (on libuv's threads, not the event loop, which a
 * synchronous inflate inside the tar parser blocked for seconds) and counts
 * what comes out, so that reading stops at the first cap reached: past
 * `maxEntries` entries or `maxInflatedBytes` decompressed, the rest of the
 * archive is never inflated and the result says `truncated`.
 */
export function extractTarball(gzipped: Uint8Array, limits: ExtractLimits = {}): Promise<ExtractedTarball> {
  const maxFileBytes = limits.maxFileBytes ?? 2 * 1024 * 1024;
  const maxTailBytes = limits.maxTailBytes ?? 1024 * 1024;
  const maxManifestBytes = limits.maxManifestBytes ?? MAX_MANIFEST_BYTES;
  const maxTotalBytes = limits.maxTotalBytes ?? 64 * 1024 * 1024;
  const maxInflatedBytes = limits.maxInflatedBytes ?? 512 * 1024 * 1024;
  const maxEntries = limits.maxEntries ?? 20_000;
  return new Promise((resolve, reject) => {
    const files: TarballFile[] = [];
    const unsafePaths: string[] = [];
    let totalBytes = 0;
    let inflated = 0;
    let entries = 0;
    let truncated = false;
    let settled = false;
    /** The file being read when a cap stops the archive: what was read of it is kept. */
    let reading: { readonly path: string; readonly file: ReturnType<typeof keepHeadAndTail> } | undefined;
    const input = Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength);
    // npm tarballs are gzip; anything else goes to the tar parser as it is (a plain tar, or its error).
    const gunzip = input[0] === 0x1f && input[1] === 0x8b ? createGunzip() : undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      gunzip?.destroy();
      if (error) reject(error);
      else if (entries === 0) reject(new Error("not a valid tarball (no entries could be read)"));
      else resolve({ files, unsafePaths, totalBytes, truncated });
    };
    /** A cap was reached: what was read so far is the result. */
    const stop = () => {
      truncated = true;
      if (reading) files.push({ path: reading.path, ...reading.file.finish(), truncated: true });
      reading = undefined;
      settle();
    };
    const parser = new Parser({
      onReadEntry(entry: ReadEntry) {
        if (settled) {
          entry.resume();
          return;
        }
        if (++entries > maxEntries) {
          entry.resume();
          return stop();
        }
        const path = installedPath(entry.path);
        if ((isUnsafe(entry.path) || (path !== undefined && isUnsafe(path))) && unsafePaths.length < MAX_UNSAFE_PATHS)
          unsafePaths.push(entry.path);
        const wanted =
          path !== undefined &&
          REGULAR_FILE.has(entry.type) &&
          !isUnsafe(path) &&
          TEXT_FILE.test(path) &&
          !SKIPPED.test(path) &&
          !truncated;
        if (!wanted) {
          entry.resume();
          return;
        }
        const file = keepHeadAndTail(isManifestPath(path) ? maxManifestBytes : maxFileBytes, maxTailBytes);
        reading = { path, file };
        entry.on("data", (chunk: Buffer) => {
          totalBytes += chunk.length;
          if (totalBytes > maxTotalBytes) truncated = true;
          file.add(chunk);
        });
        entry.on("end", () => {
          reading = undefined;
          if (!settled) files.push({ path, ...file.finish() });
        });
      },
    });
    parser.on("error", (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
    parser.on("warn", (_code: string, message: string) => {
      if (/invalid|unexpected|TAR_BAD_ARCHIVE/i.test(message)) settle(new Error(`not a valid tarball: ${message}`));
    });
    parser.on("end", () => settle());
    if (gunzip === undefined) {
      parser.end(input);
      return;
    }
    gunzip.on("data", (chunk: Buffer) => {
      if (settled) return;
      inflated += chunk.length;
      if (inflated > maxInflatedBytes) return stop();
      parser.write(chunk);
    });
    gunzip.on("end", () => parser.end());
    gunzip.on("error", (error: Error) => settle(new Error(`not a valid tarball: ${error.message}`)));
    gunzip.end(input);
  });
}
