import { inflateRawSync } from "node:zlib";

/**
 * Minimal ZIP reader for the OSV bulk export (`npm/all.zip`): walks the central
 * directory (APPNOTE 6.3.x §4.3.12) and inflates each member with node:zlib.
 * Stored (0) and deflate (8) are the only methods a ZIP of JSON files uses.
 */
export function* readZipEntries(zip: Buffer, maxEntryBytes = 64 * 1024 * 1024): Generator<{ name: string; data: Buffer }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd === -1 || eocd + 22 > zip.length) throw new Error("not a ZIP file (no end-of-central-directory record)");
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`corrupt ZIP central directory at entry ${i}`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/")) continue;
    if (size > maxEntryBytes) throw new Error(`ZIP entry ${name} is ${size} bytes, over the ${maxEntryBytes}-byte limit`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== 0x04034b50)
      throw new Error(`corrupt ZIP local header for ${name}`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    if (method === 0) yield { name, data: raw };
    else if (method === 8) yield { name, data: inflateRawSync(raw, { maxOutputLength: maxEntryBytes }) };
    else throw new Error(`ZIP entry ${name} uses compression method ${method}; only stored and deflate are supported`);
  }
}
