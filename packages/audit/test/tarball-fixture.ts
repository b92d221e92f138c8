import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createGzip, gzipSync } from "node:zlib";
import { create, Header } from "tar";

/** Builds an npm-style .tgz (entries under `package/`) from source strings, in memory. */
export async function buildTarball(files: Record<string, string>): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "parapet-audit-fixture-"));
  try {
    for (const [path, text] of Object.entries(files)) {
      const full = join(dir, "package", path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    const chunks: Buffer[] = [];
    const stream = create({ gzip: true, cwd: dir, portable: true }, ["package"]);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function manifest(name: string, scripts: Record<string, string> = {}): string {
  return JSON.stringify({ name, version: "1.0.0", scripts });
}

/** A ustar header for a regular file (or `type`) of `size` bytes. */
function tarHeader(path: string, size: number, type = "0"): Buffer {
  const header = Buffer.alloc(512);
  header.write(path, 0, 100);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write(type, 156);
  header.write("ustar\u000000", 257);
  header.write("        ", 148);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i] as number;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

/**
 * A .tgz of `entries`, each `size` bytes of `fill` (zeros by default), streamed through gzip so that gigabytes of
 * content never sit in memory: the shape of a decompression bomb, or of an archive with a million entries.
 */
export async function buildFilledTarball(entries: readonly { path: string; size: number; fill?: number }[]): Promise<Uint8Array> {
  const gzip = createGzip({ level: 1 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  // Small writes (a header each) are gathered: one gzip write per 512 bytes made a 300,000-entry archive take 20 s.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const joined = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (!gzip.write(joined)) await new Promise((resolve) => gzip.once("drain", resolve));
  };
  const write = async (buffer: Buffer) => {
    // Copied: the fill block is reused for the next entry.
    pending.push(Buffer.from(buffer));
    pendingBytes += buffer.length;
    if (pendingBytes >= 1024 * 1024) await flush();
  };
  const block = Buffer.alloc(1024 * 1024);
  for (const { path, size, fill = 0 } of entries) {
    await write(tarHeader(`package/${path}`, size));
    if (size > 0 && block[0] !== fill) block.fill(fill);
    for (let left = size; left > 0; left -= block.length) await write(left >= block.length ? block : block.subarray(0, left));
    if (size % 512 !== 0) await write(Buffer.alloc(512 - (size % 512)));
  }
  await write(Buffer.alloc(1024));
  await flush();
  gzip.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * A .tgz written entry by entry with node-tar's own header encoder, for archives `npm pack` never makes but a
 * hijacker can publish: two entries at one path, `package/./x` paths, entry types other than `0`.
 */
export function buildRawTarball(
  entries: readonly { path: string; text: string; type?: "File" | "OldFile" | "ContiguousFile" }[],
): Uint8Array {
  const blocks: Buffer[] = [];
  for (const { path, text, type = "File" } of entries) {
    const body = Buffer.from(text);
    const header = new Header({ path, mode: 0o644, size: body.length, type, mtime: new Date(0) });
    header.encode();
    blocks.push(header.block as Buffer, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}
