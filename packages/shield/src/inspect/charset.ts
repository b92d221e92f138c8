/**
 * A body's text under the charset its Content-Type declares. body-parser
 * (express.json(), express.text(), urlencoded()) decodes a body with
 * iconv-lite by that charset: `application/json; charset=utf-7` turns
 * `1+ACc- OR +ACc-1+ACc-=+ACc-1` into `1' OR '1'='1`, UTF-16 and UTF-32 put a
 * NUL beside each ASCII character. Read as UTF-8, as other frameworks read
 * every body (Fastify, Web `Request.json()`), such bodies hid the attack the
 * app received; so a body with a charset is read both ways (see `addBody`).
 */

/** The `charset` parameter of a Content-Type header, lowercased; undefined when there is none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = CHARSET_PARAM.exec(contentType);
  const value = match?.[1] ?? match?.[2];
  return value === undefined || value === "" ? undefined : value.toLowerCase();
}

/** `; charset=x` or `; charset="x"`, the parameter name in any case. One bounded, linear match. */
const CHARSET_PARAM = /;[ \t]*charset[ \t]*=[ \t]*(?:"([^"]{0,64})"|([^;\s"]{1,64}))/i;

/**
 * The text `bytes` decode to under `charset`, or undefined when that is UTF-8
 * (what the body is read as anyway) or a charset neither iconv-lite's special
 * cases nor this runtime's TextDecoder knows (the app's parser refuses it too).
 */
export function decodeCharset(bytes: Uint8Array, charset: string): string | undefined {
  // iconv-lite's name matching: lowercase, a `:2000`-style suffix and anything not a letter or digit dropped.
  const name = charset
    .toLowerCase()
    .replace(/:\d{4}$/, "")
    .replace(/[^0-9a-z]/g, "");
  switch (name) {
    case "utf8":
    case "unicode11utf8":
    case "cesu8":
      return undefined;
    case "utf7":
    case "unicode11utf7":
      return decodeUtf7(bytes, 0x2b, UTF7_DIGITS);
    case "utf7imap":
      return decodeUtf7(bytes, 0x26, IMAP_DIGITS);
    case "utf16":
      return textDecoded(wholeUnits(bytes), utf16IsBigEndian(bytes) ? "utf-16be" : "utf-16le");
    case "utf16le":
    case "ucs2":
      return textDecoded(wholeUnits(bytes), "utf-16le");
    case "utf16be":
      return textDecoded(wholeUnits(bytes), "utf-16be");
    case "utf32":
    case "ucs4":
      return decodeUtf32(bytes, utf32IsBigEndian(bytes));
    case "utf32le":
    case "ucs4le":
      return decodeUtf32(bytes, false);
    case "utf32be":
    case "ucs4be":
      return decodeUtf32(bytes, true);
    case "latin1":
    case "iso88591":
    case "binary":
    case "l1":
    case "cp819":
    case "ibm819":
    case "csisolatin1":
      // iconv-lite's Latin-1 maps 0x80–0x9F to C1 controls; a TextDecoder reads the label as windows-1252.
      return decodeLatin1(bytes);
    default:
      return textDecoded(bytes, charset);
  }
}

/** UTF-16 bytes without a last odd byte, which iconv-lite drops (a TextDecoder would add U+FFFD for it). */
function wholeUnits(bytes: Uint8Array): Uint8Array {
  return bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1);
}

function textDecoded(bytes: Uint8Array, label: string): string | undefined {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label);
  } catch {
    // A label this runtime does not know: the UTF-8 reading stands alone.
    return undefined;
  }
  return decoder.encoding === "utf-8" ? undefined : decoder.decode(bytes);
}

/** iconv-lite's guess for `utf-16` without a byte order mark: the byte order that puts more ASCII among the first 100 units; little-endian on a tie. */
function utf16IsBigEndian(bytes: Uint8Array): boolean {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return true;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return false;
  let asciiBE = 0;
  let asciiLE = 0;
  for (let i = 0; i + 1 < bytes.length && i < 200; i += 2) {
    if (bytes[i] === 0 && bytes[i + 1] !== 0) asciiBE++;
    if (bytes[i] !== 0 && bytes[i + 1] === 0) asciiLE++;
  }
  return asciiBE > asciiLE;
}

/** iconv-lite's guess for `utf-32`: its byte order mark, else the order that reads more valid BMP characters among the first 100. */
function utf32IsBigEndian(bytes: Uint8Array): boolean {
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return true;
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return false;
  let scoreBE = 0;
  let scoreLE = 0;
  for (let i = 0; i + 3 < bytes.length && i < 400; i += 4) {
    const [b0, b1, b2, b3] = [bytes[i] as number, bytes[i + 1] as number, bytes[i + 2] as number, bytes[i + 3] as number];
    if (b0 !== 0 || b1 > 0x10) scoreBE--;
    if (b3 !== 0 || b2 > 0x10) scoreLE--;
    if (b0 === 0 && b1 === 0 && (b2 !== 0 || b3 !== 0)) scoreBE++;
    if ((b0 !== 0 || b1 !== 0) && b2 === 0 && b3 === 0) scoreLE++;
  }
  return scoreBE > scoreLE;
}

function decodeUtf32(bytes: Uint8Array, bigEndian: boolean): string {
  const units: number[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const [b0, b1, b2, b3] = [bytes[i] as number, bytes[i + 1] as number, bytes[i + 2] as number, bytes[i + 3] as number];
    const point = (bigEndian ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3 : (b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
    if (point === 0xfeff && i === 0) continue;
    if (point > 0x10ffff) units.push(0xfffd);
    else if (point > 0xffff) units.push(0xd7c0 + (point >> 10), 0xdc00 | (point & 0x3ff));
    else units.push(point);
  }
  // A last partial character: U+FFFD, as iconv-lite gives.
  if (bytes.length % 4 !== 0) units.push(0xfffd);
  return fromUnits(units);
}

function decodeLatin1(bytes: Uint8Array): string {
  return fromUnits(bytes);
}

/** String.fromCharCode over a long list, in slices: one call with 64 K arguments overflows some engines' stacks. */
function fromUnits(units: ArrayLike<number>): string {
  let text = "";
  for (let start = 0; start < units.length; start += 8192)
    text += String.fromCharCode(...Array.prototype.slice.call(units, start, start + 8192));
  return text;
}

const MINUS = 0x2d;

/** Base64 digit values by byte (-1: no digit). iconv-lite's IMAP decoder takes `,` for `/` and `/` as well. */
function digitValues(imap: boolean): Int8Array {
  const values = new Int8Array(256).fill(-1);
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < digits.length; i++) values[digits.charCodeAt(i)] = i;
  if (imap) values[0x2c] = 63;
  return values;
}

const UTF7_DIGITS = digitValues(false);
const IMAP_DIGITS = digitValues(true);

/**
 * RFC 2152 UTF-7 (`shift` `+`, 63rd digit `/`) or RFC 3501's IMAP variant (`&`, `,`), as iconv-lite decodes it:
 * direct bytes as ASCII; after the shift, base64 digits are UTF-16BE, up to the first byte that is no digit,
 * which ends the run and is kept unless it is `-`; the shift then `-` is the shift character itself.
 * One pass, each byte looked at once or twice.
 */
function decodeUtf7(bytes: Uint8Array, shift: number, digits: Int8Array): string {
  const units: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    i++;
    if (byte !== shift) {
      units.push(byte < 0x80 ? byte : 0xfffd);
      continue;
    }
    if (bytes[i] === MINUS) {
      units.push(shift);
      i++;
      continue;
    }
    // Bits of the run, 6 per digit, taken 16 at a time as UTF-16BE code units; leftover bits are dropped.
    let bits = 0;
    let count = 0;
    while (i < bytes.length) {
      const value = digits[bytes[i] as number] as number;
      if (value === -1) break;
      bits = ((bits << 6) | value) & 0x3fffff;
      count += 6;
      if (count >= 16) {
        count -= 16;
        units.push((bits >> count) & 0xffff);
      }
      i++;
    }
    if (bytes[i] === MINUS) i++;
  }
  return fromUnits(units);
}
