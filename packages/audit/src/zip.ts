import { inflateRawSync } from "node:zlib";

/**
 * Minimal ZIP reader for the OSV bulk export (`npm/all.zip`): walks the central
 * directory (APPNOTE 6.3.x §4.3.12) and inflates each member with node:zlib.
 * Stored (0) and deflate (8) are the only methods a ZIP of JSON files uses.
 * The npm export holds far more than 65,535 records, so ZIP64 (§4.3.14–4.3.15,
 * §4.5.3) is read too: a classic count field would silently cap the records.
 */

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** A classic field holding this value means "the real value is in the ZIP64 record or extra field". */
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

function readU64(zip: Buffer, at: number, what: string): number {
  const value = zip.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`ZIP64 ${what} ${value} is out of range`);
  return Number(value);
}

/** Entry count and central-directory offset, from the classic end record or, when it says so, the ZIP64 one. */
function centralDirectory(zip: Buffer): { count: number; offset: number } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd === -1 || eocd + 22 > zip.length || zip.readUInt32LE(eocd) !== EOCD)
    throw new Error("not a ZIP file (no end-of-central-directory record)");
  const count = zip.readUInt16LE(eocd + 10);
  const offset = zip.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  const hasLocator = locator >= 0 && zip.readUInt32LE(locator) === ZIP64_LOCATOR;
  if (!hasLocator) {
    if (count === U16_MAX || offset === U32_MAX) throw new Error("ZIP64 archive without its end-of-central-directory locator");
    return { count, offset };
  }
  const record = readU64(zip, locator + 8, "record offset");
  if (record + 56 > zip.length || zip.readUInt32LE(record) !== ZIP64_EOCD) throw new Error("corrupt ZIP64 end-of-central-directory record");
  return { count: readU64(zip, record + 32, "entry count"), offset: readU64(zip, record + 48, "directory offset") };
}

/**
 * The ZIP64 extra field (id 0x0001) of a central header: it holds, in this order,
 * only those of size, compressed size and local offset whose classic field is 0xFFFFFFFF.
 */
function zip64Values(zip: Buffer, extraStart: number, extraLength: number, wanted: readonly boolean[], name: string): number[] {
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = zip.readUInt16LE(at);
    const size = zip.readUInt16LE(at + 2);
    if (id === 0x0001) {
      const values: number[] = [];
      let field = at + 4;
      for (const needed of wanted) {
        if (!needed) continue;
        if (field + 8 > at + 4 + size) throw new Error(`corrupt ZIP64 extra field for ${name}`);
        values.push(readU64(zip, field, "field"));
        field += 8;
      }
      return values;
    }
    at += 4 + size;
  }
  throw new Error(`ZIP entry ${name} needs a ZIP64 extra field and has none`);
}

export function* readZipEntries(zip: Buffer, maxEntryBytes = 64 * 1024 * 1024): Generator<{ name: string; data: Buffer }> {
  const { count, offset: start } = centralDirectory(zip);
  let offset = start;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== CENTRAL_HEADER)
      throw new Error(`corrupt ZIP central directory at entry ${i}`);
    const method = zip.readUInt16LE(offset + 10);
    let compressedSize = zip.readUInt32LE(offset + 20);
    let size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    let localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    const wanted = [size === U32_MAX, compressedSize === U32_MAX, localOffset === U32_MAX];
    if (wanted.some(Boolean)) {
      const values = zip64Values(zip, offset + 46 + nameLength, extraLength, wanted, name);
      if (wanted[0]) size = values.shift()!;
      if (wanted[1]) compressedSize = values.shift()!;
      if (wanted[2]) localOffset = values.shift()!;
    }
    offset += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/")) continue;
    if (size > maxEntryBytes) throw new Error(`ZIP entry ${name} is ${size} bytes, over the ${maxEntryBytes}-byte limit`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL_HEADER)
      throw new Error(`corrupt ZIP local header for ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) yield { name, data: raw };
    else if (method === 8) yield { name, data: inflateRawSync(raw, { maxOutputLength: maxEntryBytes }) };
    else throw new Error(`ZIP entry ${name} uses compression method ${method}; only stored and deflate are supported`);
  }
  // A writer that wrapped the 16-bit count instead of writing ZIP64 leaves entries past it: refuse, never skip them.
  if (offset + 4 <= zip.length && zip.readUInt32LE(offset) === CENTRAL_HEADER)
    throw new Error(`the ZIP says it holds ${count} entries but its directory lists more; re-create it with a ZIP64-capable tool`);
}
