import { type BodyContent, utf8LengthAtMost } from "@parapet/core";
import { decodeCharset } from "./charset.js";
import { isCsvType, isJsonLinesType, isJsonType, isTextType, isXmlType, looksBinary, looksLikeJson, SNIFF_BYTES } from "./content-kind.js";
import { addCsv } from "./csv.js";
import { addJson } from "./json.js";
import { addJsonPrefix } from "./json-prefix.js";
import type { CandidateSink } from "./limits.js";
import { firstLineBoundary, type RawPart, readMultipart } from "./multipart.js";
import { addParams } from "./params.js";
import { decodeBase64, readPartHead } from "./part-head.js";
import { fileKindOf } from "./upload.js";
import { addXml } from "./xml.js";

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Parameters of the request's Content-Type header that tell how to read its body. */
export interface DeclaredParameters {
  readonly charset?: string | undefined;
  /** A multipart body's boundary, as busboy reads it (see `declaredBoundary`). */
  readonly boundary?: string | undefined;
}

/**
 * A body, by its declared type: JSON is walked key by key, forms pair by pair,
 * multipart part by part; anything else (XML, text) is inspected as one value.
 * A body that does not parse as its declared type is still inspected as text:
 * the application may parse it more leniently than we do. A body of any other
 * type (binary, unknown, none) is read by its bytes: see `addIfBinary`.
 */
export function addBody(body: BodyContent, sink: CandidateSink, parameters: DeclaredParameters = {}): void {
  const { charset, boundary } = parameters;
  if (body.parsed !== undefined && body.parsed !== null) {
    if (typeof body.parsed === "string") addContent(body.parsed, body.contentType, sink, boundary);
    else addJson(body.parsed, "body", sink);
    if (body.bytes.length === 0) return;
  }
  if (body.truncated) sink.truncated = true;
  // The body arrived as a string: read it as is rather than decode its bytes, when all of it is within our limit.
  if (body.text !== undefined && !body.truncated && utf8LengthAtMost(body.text, sink.limits.maxBytes)) {
    const text = asDecoded(body.text);
    if (text.length > 0) addContent(text, body.contentType, sink, boundary);
    return;
  }
  if (body.bytes.length === 0) return;
  const overLimit = body.bytes.length > sink.limits.maxBytes;
  const cut = body.truncated || overLimit;
  // Past maxBytes nothing is read: text there is text missed (a cut in a file or a binary body is told apart later).
  if (overLimit) sink.truncated = true;
  const bytes = overLimit ? body.bytes.subarray(0, sink.limits.maxBytes) : body.bytes;
  const start = sink.mark();
  addBytes(bytes, body.contentType, sink, cut, boundary);
  // busboy and undici read a multipart body's parts whatever its charset says.
  if (charset === undefined || body.contentType === "multipart/form-data") return;
  const declared = decodeCharset(bytes, charset);
  if (declared === undefined || declared === decoder.decode(bytes)) return;
  // The same body once more, as body-parser decodes it (see charset.ts), with the allowance the first reading had.
  sink.rereadFrom(start, () => {
    if (isTextType(body.contentType)) addText(declared, body.contentType, sink, cut);
    else if (looksBinary(declared)) {
      if (looksLikeJson(declared)) addJsonDocument(declared, "body", sink, cut);
    } else addText(declared, "", sink, cut);
  });
}

/** A body's bytes read as UTF-8, by its declared type. */
function addBytes(bytes: Uint8Array, contentType: string, sink: CandidateSink, cut: boolean, boundary?: string): void {
  if (isTextType(contentType)) {
    addText(decoder.decode(bytes), contentType, sink, cut, boundary);
    return;
  }
  // Sniffed on a sample: decoding a whole binary body (each stray byte becomes U+FFFD, slowly) only to skip it is waste.
  const sample = decoder.decode(bytes.subarray(0, SNIFF_BYTES));
  if (looksBinary(sample)) {
    if (looksLikeJson(sample)) addJsonDocument(decoder.decode(bytes), "body", sink, cut);
    return;
  }
  addText(decoder.decode(bytes), "", sink, cut);
}

/** Text the app already holds as a string, by its declared type. */
function addContent(text: string, contentType: string, sink: CandidateSink, boundary?: string): void {
  if (isTextType(contentType)) addText(text, contentType, sink, false, boundary);
  else if (!addIfBinary(text, "body", sink)) addText(text, "", sink);
}

/**
 * Content of no text type is read by what it is. Binary (`looksBinary`): not
 * read, but for one case, a binary-looking JSON document, which is read as
 * JSON: JSON.parse takes invalid UTF-8 (decoded to U+FFFD) inside strings, so
 * an app that parses bodies whatever their type reads the fields around the
 * junk. Text: read as an untyped body (JSON, form or one value), whatever the
 * label says, since an app reading raw bodies parses it the same; so
 * relabelling an attack `image/png` does not hide it.
 * Returns whether `text` was binary and so dealt with here.
 */
function addIfBinary(text: string, prefix: string, sink: CandidateSink): boolean {
  if (!looksBinary(text)) return false;
  if (looksLikeJson(text)) addJsonDocument(text, prefix, sink, false);
  return true;
}

/** ES2024 methods, native since Node 20 (our floor) but outside the ES2023 lib the build targets. */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * The string the byte path would have produced from the same body, so both
 * paths inspect the same text: UTF-8 decoding drops a leading byte order mark
 * and turns each lone surrogate (which UTF-8 cannot carry) into U+FFFD.
 */
function asDecoded(text: string): string {
  const methods = text as string & WellFormedString;
  const wellFormed = methods.isWellFormed() ? text : methods.toWellFormed();
  return wellFormed.charCodeAt(0) === 0xfeff ? wellFormed.slice(1) : wellFormed;
}

/**
 * `cut`: the text is only the start of the body (it was larger than a limit). `boundary`: the one a multipart body's
 * Content-Type declares.
 */
function addText(text: string, contentType: string, sink: CandidateSink, cut = false, boundary?: string): void {
  if (isJsonType(contentType) || (contentType === "" && looksLikeJson(text))) {
    if (addJsonDocument(text, "body", sink, cut)) return;
    // JSON Lines sent as JSON (Elasticsearch's _bulk takes both types).
    if (addJsonLines(text, sink)) return;
  } else if (looksLikeJson(text) && !hasOwnReader(contentType)) {
    // Read as the JSON an app may parse it into, and below as the text it is.
    addJsonDocument(text, "body", sink, cut);
  }
  if (isJsonLinesType(contentType) && (addJsonLines(text, sink) || addJsonDocument(text, "body", sink, cut))) return;
  // Without a Content-Type, `a=1&b=2` is still read as a form by lenient parsers (PHP, many proxies), so inspect its fields.
  if (contentType === "application/x-www-form-urlencoded" || (contentType === "" && looksLikeForm(text))) {
    addParams(text, "body", sink);
    return;
  }
  if (isXmlType(contentType)) {
    addXml(text, sink);
    return;
  }
  if (isCsvType(contentType)) {
    addCsv(text, "body", sink);
    return;
  }
  if (contentType === "multipart/form-data") {
    addMultipart(text, boundary, sink);
    return;
  }
  sink.add("body", "body", text);
}

/**
 * Types read by a reader of their own below (forms, XML, CSV, multipart, JSON Lines). A JSON document under any
 * other type (`text/plain`, `text/html`, none) is walked field by field: Hono's `c.req.json()` and Web
 * `Request.json()` parse a body whatever its type, `express.json({ type: () => true })` and beacon endpoints take
 * `text/plain` (a CORS-simple type: no preflight), and an app may `JSON.parse` a text body itself. Read as one
 * value only, `{"url":"127.0.0.1:6379"}` or `{"user":"admin'--"}` lost the field names and whole values the
 * detectors judge by, and passed. Such a body is read as text too: that is what the app holds if it does not parse.
 */
function hasOwnReader(contentType: string): boolean {
  return (
    contentType === "application/x-www-form-urlencoded" ||
    contentType === "multipart/form-data" ||
    isXmlType(contentType) ||
    isCsvType(contentType) ||
    isJsonLinesType(contentType)
  );
}

/**
 * `name=value` at the start, with a name a form would use: one bounded,
 * anchored match. `name%3Dvalue` too: a pair encoded once more, which an app
 * that decodes twice reads as the same field (see params.ts).
 */
const FORM_START = /^[\w.[\]-]{1,100}(?:=|%3[dD])/;

function looksLikeForm(text: string): boolean {
  return FORM_START.test(text);
}

/**
 * `text` read as one JSON document under `prefix`; false, adding nothing, when it is not one.
 * `cut`: `text` is the start of the body (only a whole body is ever cut, so its prefix is "body").
 */
function addJsonDocument(text: string, prefix: string, sink: CandidateSink, cut: boolean): boolean {
  // A cut body cannot parse (parsing it would be a pass wasted): its start is read as far as it goes.
  if (cut) return addJsonPrefix(text, sink);
  const parsed = parseJson(text);
  if (parsed.ok) addJson(parsed.value, prefix, sink, true);
  return parsed.ok;
}

/**
 * JSON Lines (NDJSON: log shippers, bulk APIs): one document per line, each walked under `body.<line>` as the app
 * parses them one by one, so a quote in one record cannot pair with a keyword in the next. Only when the first line
 * is a JSON document and there is more than one; false, adding nothing, otherwise. A line that does not parse is
 * inspected as one value, as a lenient reader would keep it.
 */
function addJsonLines(text: string, sink: CandidateSink): boolean {
  const firstBreak = text.indexOf("\n");
  if (firstBreak === -1 || firstBreak === text.length - 1) return false;
  const first = parseJson(withoutRecordSeparator(text.slice(0, firstBreak)));
  if (!first.ok || first.value === null || typeof first.value !== "object") return false;
  let line = 0;
  for (let start = 0; start < text.length && !sink.full; line++) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    const record = withoutRecordSeparator(text.slice(start, stop)).trim();
    start = stop + 1;
    if (record.length === 0) continue;
    const parsed = line === 0 ? first : parseJson(record);
    if (parsed.ok) addJson(parsed.value, `body.${line}`, sink, true);
    else sink.add(`body.${line}`, "body", record);
  }
  return true;
}

/** RFC 7464 (`application/json-seq`) opens each record with an ASCII record separator. */
function withoutRecordSeparator(line: string): string {
  return line.charCodeAt(0) === 0x1e ? line.slice(1) : line;
}

// JSON.parse stays: a JSON walker written in JavaScript that built no objects
// measured slower than JSON.parse plus the object walk on a 10 KB body.
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * RFC 7578 parts, split on the boundary the Content-Type declares and on the one the body's first line spells (the
 * same in every body a browser or an HTTP client writes, so one reading): each reading busboy or a lenient parser
 * could make is inspected (see multipart.ts). With no boundary at all, busboy and undici refuse the body (the app
 * gets an error, not data): it is read as one text value, for an app that reads it some other way.
 */
function addMultipart(text: string, declared: string | undefined, sink: CandidateSink): void {
  const ownLine = firstLineBoundary(text);
  const boundaries = distinctDefined([declared, ownLine]);
  if (boundaries.length === 0) {
    sink.add("body", "body", text);
    return;
  }
  for (const boundary of boundaries) {
    for (const reading of readMultipart(text, boundary)) {
      for (const part of reading.parts) {
        if (sink.full) {
          sink.truncated = true; // a part the limits leave unread
          return;
        }
        addPart(part, sink);
      }
      // Text in no part (a preamble, an epilogue, a line that starts like the delimiter): busboy and undici drop
      // it, no browser writes any, but a parser that splits on another line would read it. Read it as text, unless
      // it is binary (a fake "file" put ahead of the real parts): no parser hands that over as text either.
      for (const text of reading.outside) {
        if (sink.full) {
          sink.truncated = true;
          return;
        }
        if (text.trim() !== "" && !looksBinary(text)) sink.add("body", "body", text);
      }
    }
  }
}

function addPart(part: RawPart, sink: CandidateSink): void {
  const { head, content: sent } = part;
  const { name = "part", names, filename, filenames, base64 } = readPartHead(head);
  for (const key of names.length > 0 ? names : [name]) sink.add(`body.${key}`, "body-key", key);
  // undici's formData() (Hono, Next.js, any Web Request) hands over a base64 part decoded; busboy as sent.
  const content = base64 ? decoder.decode(decodeBase64(sent)) : sent;
  // busboy (multer, @fastify/multipart) and undici hand a part over as a file exactly when it has a file name; a
  // field is text to the app whatever its bytes.
  if (filename === undefined) {
    sink.add(`body.${name}`, "body", content, name);
    if (content !== sent) sink.add(`body.${name}`, "body", sent, name);
    // A file name one parser reads where another reads a field: still a name the app may store the part under.
    for (const other of filenames) sink.add(`body.${name}.filename`, "body", other, "filename");
    return;
  }
  // The client-supplied file name: `../../etc/cron.d/x` here is how upload handlers get tricked.
  for (const sentName of filenames) sink.add(`body.${name}.filename`, "body", sentName, "filename");
  sink.addFile(() => addFileContent(content, head, filename, `body.${name}`, name, sink));
}

function distinctDefined(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

/**
 * An uploaded file's content, as the `fileContent` policy says (see `FileContentPolicy`). A binary file's content is
 * skipped (but for binary-looking JSON, see `addIfBinary`) whatever the policy, its name and file name are not.
 */
function addFileContent(content: string, head: string, filename: string, location: string, name: string, sink: CandidateSink): void {
  const policy = sink.limits.fileContent;
  if (policy === "none" || addIfBinary(content, location, sink)) return;
  const kind = fileKindOf(head, filename, content);
  if (policy === "text") {
    if (kind === "csv") addCsv(content, location, sink);
    else sink.add(location, "body", content, name);
    return;
  }
  switch (kind) {
    case "csv":
      addCsv(content, location, sink);
      return;
    case "page":
      sink.addPageFile(location, content, name);
      return;
    case "json":
      // A file that does not parse cannot be imported as JSON, but a lenient reader may still take it: read it whole.
      if (!addJsonDocument(content, location, sink, false)) sink.add(location, "body", content, name);
      return;
    case "stored":
      return;
  }
}
