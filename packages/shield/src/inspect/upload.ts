import type { BodyContent } from "@parapet/core";
import { isTextType, looksBinary, looksLikeJson, SNIFF_BYTES } from "./content-kind.js";

/** A multipart part's client-supplied file name (RFC 7578 §4.2). */
export const PART_FILENAME = /\bfilename="([^"]{0,500})"/;

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Whether the place where a body was cut holds an upload rather than text
 * the app reads: a binary body, or a multipart body cut inside a file part.
 * Uploads are the large, slow bodies, and their content is not inspected
 * anyway, so a cut there hides nothing the shield would have read.
 */
export function isUpload(body: BodyContent): boolean {
  if (body.contentType === "multipart/form-data") return lastPartIsFile(body.bytes);
  if (isTextType(body.contentType)) return false;
  const sample = body.text?.slice(0, SNIFF_BYTES) ?? decoder.decode(body.bytes.subarray(0, SNIFF_BYTES));
  // A binary-looking JSON document is read as JSON (see addBody): a cut in it is a cut in text.
  return looksBinary(sample) && !looksLikeJson(sample);
}

/** Part headers longer than this are not a browser's or an HTTP client's: such a part is not taken for a file. */
const MAX_PART_HEAD = 2048;
const LF = 0x0a;

/**
 * Whether the last part begun in a multipart body is a file: the body was cut
 * there. busboy (multer, @fastify/multipart) takes a part for a file exactly
 * when it has a file name. Found by searching back from the end for the
 * delimiter line (the body's first line), on the bytes: decoding a megabyte
 * of binary to text costs tens of milliseconds.
 */
function lastPartIsFile(bytes: Uint8Array): boolean {
  const firstLineEnd = bytes.indexOf(LF);
  if (firstLineEnd < 3) return false;
  const delimiter = bytes.subarray(0, bytes[firstLineEnd - 1] === 0x0d ? firstLineEnd - 1 : firstLineEnd);
  const start = lastLineStartingWith(bytes, delimiter) + delimiter.length;
  // A close delimiter (`--boundary--`): the cut fell after the last part, in the epilogue.
  if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) return false;
  const head = decoder.decode(bytes.subarray(start, start + MAX_PART_HEAD));
  const headEnd = head.search(/\r?\n\r?\n/);
  // Cut inside the part's headers: what it is is unknown.
  if (headEnd === -1) return false;
  return PART_FILENAME.test(head.slice(0, headEnd));
}

/**
 * The start of the last line that begins with `prefix` (0 if only the first
 * does). Linear: `prefix` holds no line feed, so each comparison stops at the
 * next line feed at the latest, and each byte is compared about once. A naive
 * search backwards for the bytes (or String#lastIndexOf) is quadratic on a
 * body of dashes under a boundary of dashes, both the client's choice.
 */
function lastLineStartingWith(bytes: Uint8Array, prefix: Uint8Array): number {
  let lf = bytes.lastIndexOf(LF);
  while (lf > 0) {
    if (startsWithAt(bytes, prefix, lf + 1)) return lf + 1;
    lf = bytes.lastIndexOf(LF, lf - 1);
  }
  return 0;
}

function startsWithAt(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
