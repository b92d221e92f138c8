import type { BodyContent } from "@parapet/core";
import { isCsvType, isJsonType, isTextType, looksBinary, looksLikeJson, SNIFF_BYTES } from "./content-kind.js";
import { readPartHead } from "./part-head.js";

const PART_TYPE = /content-type:[ \t]*([^;\r\n]{1,100})/i;

/**
 * How much of an uploaded file's content (a multipart part with a file name)
 * the shield reads; the file name is read in every case.
 * - "by-kind" (default): a text file as the app uses it (`FileKind`): CSV
 *   and JSON files as data, cell by cell and key by key, for every class;
 *   a page (HTML, SVG, XML) for script (XSS); any other text file (source
 *   code, Markdown, logs) not at all. A file is stored, not pasted into a
 *   query or a command: read as one parameter, 65% of real source and
 *   documentation files were "attacks".
 * - "text": every text file for every class: a CSV file cell by cell, any other as one value, like a form field.
 * - "none": no file content.
 * Binary files (images, archives) are never read.
 */
export type FileContentPolicy = "by-kind" | "text" | "none";
export const FILE_CONTENT_POLICIES: readonly FileContentPolicy[] = ["by-kind", "text", "none"];

/**
 * What the content of an uploaded text file is to the app that receives it
 * (see `FileContentPolicy`): rows or a document it imports (`csv`, `json`),
 * a page a browser renders if the app serves the file back (`page`), or a
 * file it stores and hands out as it came (`stored`: source code, Markdown,
 * logs, prose). Read from the part's declared type and the file name's
 * extension, the two things a server serving the file back goes by
 * (express.static and nginx type a file by its extension), and from how the
 * content starts, for an app that types what it stores by sniffing it. Any
 * one saying "page" is enough: a client that chooses all three cannot make
 * a page read less strictly by labelling it `photo.png`.
 */
export type FileKind = "csv" | "json" | "page" | "stored";

/** Types a browser renders as a document that runs script: HTML, XHTML, SVG, and XML (which may carry XHTML or XSLT). */
const PAGE_TYPES = new Set([
  "text/html",
  "application/xhtml+xml",
  "image/svg+xml",
  "text/xml",
  "application/xml",
  "text/xsl",
  "application/xslt+xml",
  "multipart/related", // MHTML
  "message/rfc822",
  "application/x-mimearchive",
]);
const PAGE_EXTENSIONS = new Set(["html", "htm", "xhtml", "xht", "shtml", "shtm", "svg", "xml", "xsl", "xslt", "mht", "mhtml", "hta"]);

/**
 * A document start that content sniffers (libmagic, file-type, a browser on an untyped response) take for HTML, SVG
 * or XML, after any byte order mark and blank space. Not `<p>`, `<div>` or `<!--`, which WHATWG sniffing also
 * counts: a Markdown README opens with those, and served as Markdown or text it runs nothing. Not covered: an app that
 * types stored files as libmagic does, by an HTML tag anywhere in the first 4 KB. Read so, framework docs (JSX in
 * Markdown: `<button onClick={…}>`) and this package's own sources were pages with handlers.
 */
const PAGE_START = /^\uFEFF?\s{0,256}<(?:!doctype\s+html|html|head|body|script|iframe|svg|\?xml)[\s>/]/i;

export function fileKindOf(partHead: string, filename: string, content: string): FileKind {
  const type = PART_TYPE.exec(partHead)?.[1]?.trim().toLowerCase() ?? "";
  const extension = extensionOf(filename);
  if (PAGE_TYPES.has(type) || PAGE_EXTENSIONS.has(extension) || PAGE_START.test(content)) return "page";
  // Browsers label CSV files in many ways (Excel's among them): the name settles it.
  if (isCsvType(type) || extension === "csv" || extension === "tsv") return "csv";
  if (isJsonType(type) || extension === "json") return "json";
  return "stored";
}

/** The last extension, lowercased, as a server maps it to a type: trailing dots and spaces dropped (Windows drops them). */
function extensionOf(filename: string): string {
  let end = filename.length;
  while (end > 0 && (filename[end - 1] === "." || filename[end - 1] === " ")) end--;
  const dot = filename.lastIndexOf(".", end - 1);
  if (dot === -1) return "";
  const extension = filename.slice(dot + 1, end);
  // A dot in a folder name (`v1.2/readme`) is no extension.
  return extension.includes("/") || extension.includes("\\") ? "" : extension.toLowerCase();
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Whether the place where a body was cut holds an upload rather than text
 * the app reads: a binary body, or a multipart body cut inside a file part.
 * Uploads are the large, slow bodies, and most files' content is not read
 * (see `FileContentPolicy`), so a cut there mostly hides nothing the shield
 * would have read. `boundary`: the one a multipart body's Content-Type declares.
 */
export function isUpload(body: BodyContent, boundary?: string): boolean {
  if (body.contentType === "multipart/form-data") return lastPartIsFile(body.bytes, boundary);
  if (isTextType(body.contentType)) return false;
  const sample = body.text?.slice(0, SNIFF_BYTES) ?? decoder.decode(body.bytes.subarray(0, SNIFF_BYTES));
  // A binary-looking JSON document is read as JSON (see addBody): a cut in it is a cut in text.
  return looksBinary(sample) && !looksLikeJson(sample);
}

/** Part headers longer than this are not a browser's or an HTTP client's: such a part is not taken for a file. */
const MAX_PART_HEAD = 2048;
const LF = 0x0a;
const CR = 0x0d;
const encoder = new TextEncoder();

/**
 * Whether the last part begun in a multipart body is a file: the body was cut
 * there. busboy (multer, @fastify/multipart) takes a part for a file exactly
 * when it has a file name. A file only if it is one on every boundary the body
 * is read on (see addMultipart: the declared one and the first line's), and
 * whether delimiters follow a bare LF (lenient parsers) or CRLF only (busboy):
 * a fake first line must not make the part busboy reads look like a file.
 * Searched for on the bytes: decoding a megabyte of binary to text costs tens
 * of milliseconds.
 */
function lastPartIsFile(bytes: Uint8Array, declared: string | undefined): boolean {
  const firstLineEnd = bytes.indexOf(LF);
  const firstLine = firstLineEnd < 3 ? undefined : bytes.subarray(0, bytes[firstLineEnd - 1] === CR ? firstLineEnd - 1 : firstLineEnd);
  const delimiters = firstLine === undefined || firstLine[0] !== 0x2d || firstLine[1] !== 0x2d ? [] : [firstLine];
  if (declared !== undefined) delimiters.push(encoder.encode(`--${declared}`));
  if (delimiters.length === 0) return false;
  return delimiters.every(
    (delimiter) =>
      partAtIsFile(bytes, delimiter, lastLineStartingWith(bytes, delimiter, false)) &&
      partAtIsFile(bytes, delimiter, lastLineStartingWith(bytes, delimiter, true)),
  );
}

/** Whether the part whose delimiter line starts at `at` is a file; false when there is none (-1) or it is unknown. */
function partAtIsFile(bytes: Uint8Array, delimiter: Uint8Array, at: number): boolean {
  if (at === -1) return false;
  const start = at + delimiter.length;
  // A close delimiter (`--boundary--`): the cut fell after the last part, in the epilogue.
  if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) return false;
  const head = decoder.decode(bytes.subarray(start, start + MAX_PART_HEAD));
  const headEnd = head.search(/\r?\n\r?\n/);
  // Cut inside the part's headers: what it is is unknown.
  if (headEnd === -1) return false;
  return readPartHead(head.slice(0, headEnd)).filename !== undefined;
}

/**
 * The start of the last line that begins with `prefix`, after CRLF only when
 * `afterCr` (as busboy reads delimiters); the body's start counts as a line
 * start; -1 when there is none. Linear: `prefix` holds no line feed, so each
 * comparison stops at the next line feed at the latest, and each byte is
 * compared about once. A naive search backwards for the bytes (or
 * String#lastIndexOf) is quadratic on a body of dashes under a boundary of
 * dashes, both the client's choice.
 */
function lastLineStartingWith(bytes: Uint8Array, prefix: Uint8Array, afterCr: boolean): number {
  let lf = bytes.lastIndexOf(LF);
  while (lf > 0) {
    if ((!afterCr || bytes[lf - 1] === CR) && startsWithAt(bytes, prefix, lf + 1)) return lf + 1;
    lf = bytes.lastIndexOf(LF, lf - 1);
  }
  return startsWithAt(bytes, prefix, 0) ? 0 : -1;
}

function startsWithAt(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
