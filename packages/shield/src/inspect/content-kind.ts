/**
 * Whether a body is text the shield reads or binary it skips. Binary content
 * (an image, an archive, compressed or encrypted data) holds no words: read
 * as text, its random bytes spell quotes, braces and keywords: every PNG
 * tried and a third of random 4 KB bodies tripped a detector.
 */

export function isJsonType(contentType: string): boolean {
  return contentType === "application/json" || contentType.endsWith("+json");
}

export function isXmlType(contentType: string): boolean {
  return contentType === "application/xml" || contentType === "text/xml" || contentType.endsWith("+xml");
}

/** JSON Lines, by its registered and common names (`application/x-ndjson`, `application/jsonl`, `application/json-seq`…). */
export function isJsonLinesType(contentType: string): boolean {
  return (
    contentType === "application/x-ndjson" ||
    contentType === "application/ndjson" ||
    contentType === "application/jsonl" ||
    contentType === "application/x-jsonlines" ||
    contentType === "application/jsonlines" ||
    contentType === "application/json-seq"
  );
}

/** CSV, as `text/csv` (RFC 7111) or the `application/csv` some clients send, and its tab-separated sibling. */
export function isCsvType(contentType: string): boolean {
  return contentType === "text/csv" || contentType === "application/csv" || contentType === "text/tab-separated-values";
}

/**
 * Types an app's body parsers read as text: these bodies are inspected by
 * their type, whatever their bytes. Any other type (image/*, octet-stream,
 * an unknown one, none) says nothing an attacker cannot change, so those
 * bodies are judged by their bytes (`looksBinary`).
 */
export function isTextType(contentType: string): boolean {
  return (
    contentType.startsWith("text/") ||
    contentType === "application/csv" ||
    isJsonLinesType(contentType) ||
    isJsonType(contentType) ||
    isXmlType(contentType) ||
    contentType === "application/x-www-form-urlencoded" ||
    contentType === "multipart/form-data"
  );
}

/** Bytes sniffed, as libmagic and browsers' MIME sniffing read a prefix: a file shows what it is in its first few KB. */
export const SNIFF_BYTES = 4096;

/**
 * Signatures of formats whose first KB can be mostly text (PNG text chunks,
 * JPEG XMP, PDF dictionaries, uncompressed ZIP entries, ID3 tags) and so
 * would pass the share test below; the rest of the file is binary. As they
 * read after UTF-8 decoding: each stray byte is U+FFFD.
 */
const SIGNATURES: readonly string[] = [
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  "GIF87a",
  "GIF89a",
  "%PDF-",
  "PK\x03\x04", // ZIP, and what is built on it: docx, xlsx, jar, epub
  "PK\x05\x06",
  [0x1f, 0x8b], // gzip
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  "Rar!\x1a\x07",
  "RIFF", // WAV, AVI, WebP
  "OggS\x00",
  "fLaC",
  "ID3",
  "II*\x00", // TIFF and most camera raw formats
  "MM\x00*",
  "\x00asm", // WebAssembly
  "\x7fELF",
  "wOFF",
  "wOF2",
].map((signature) => (typeof signature === "string" ? signature : new TextDecoder().decode(Uint8Array.from(signature), { stream: true })));

/** Where ISO media files (MP4, MOV, HEIC, AVIF) name their brand, after a 4-byte box size. */
const ISO_BRAND_AT = 4;

function startsWithSignature(text: string): boolean {
  for (const signature of SIGNATURES) if (text.startsWith(signature)) return true;
  return text.startsWith("ftyp", ISO_BRAND_AT);
}

/**
 * Binary: a file signature, or more than one character in eight, among the
 * first SNIFF_BYTES, that text does not hold: C0 controls other than tab, line
 * breaks, form feed and escape, DEL, and U+FFFD (what invalid UTF-8 decodes
 * to). Random and compressed data run at about one in two; text in a legacy
 * 8-bit charset (Latin-1 accents) at a few in a hundred; an attack with a
 * stray NUL (`../x%00.png` sent raw) at one in many.
 */
export function looksBinary(text: string): boolean {
  if (startsWithSignature(text)) return true;
  const end = Math.min(text.length, SNIFF_BYTES);
  let odd = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? ((TEXT_CONTROLS >>> c) & 1) === 0 : c === 0x7f || c === 0xfffd) odd++;
  }
  return odd * 8 > end;
}

/** Bit n set: control character n occurs in text. Tab, line feed, vertical tab, form feed, carriage return, escape (colours in logs). */
const TEXT_CONTROLS = (1 << 0x09) | (1 << 0x0a) | (1 << 0x0b) | (1 << 0x0c) | (1 << 0x0d) | (1 << 0x1b);

export function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
}
