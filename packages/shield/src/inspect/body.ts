import { type BodyContent, utf8LengthAtMost } from "@parapet/core";
import { addJson } from "./json.js";
import { addJsonPrefix } from "./json-prefix.js";
import type { CandidateSink } from "./limits.js";
import { addParams } from "./params.js";
import { addXml } from "./xml.js";

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * A body, by its declared type: JSON is walked key by key, forms pair by pair,
 * multipart part by part; anything else (XML, text) is inspected as one value.
 * A body that does not parse as its declared type is still inspected as text:
 * the application may parse it more leniently than we do.
 */
export function addBody(body: BodyContent, sink: CandidateSink): void {
  if (body.parsed !== undefined && body.parsed !== null) {
    if (typeof body.parsed === "string") addText(body.parsed, body.contentType, sink);
    else addJson(body.parsed, "body", sink);
    if (body.bytes.length === 0) return;
  }
  if (body.truncated) sink.truncated = true;
  // The body arrived as a string: read it as is rather than decode its bytes, when all of it is within our limit.
  if (body.text !== undefined && !body.truncated && utf8LengthAtMost(body.text, sink.limits.maxBytes)) {
    const text = asDecoded(body.text);
    if (text.length > 0) addText(text, body.contentType, sink);
    return;
  }
  if (body.bytes.length === 0) return;
  const cut = body.truncated || body.bytes.length > sink.limits.maxBytes;
  const bytes = body.bytes.length > sink.limits.maxBytes ? body.bytes.subarray(0, sink.limits.maxBytes) : body.bytes;
  addText(decoder.decode(bytes), body.contentType, sink, cut);
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

/** `cut`: the text is only the start of the body (it was larger than a limit). */
function addText(text: string, contentType: string, sink: CandidateSink, cut = false): void {
  if (isJson(contentType) || (contentType === "" && looksLikeJson(text))) {
    // A cut body cannot parse (parsing it would be a pass wasted): its start is read as far as it goes.
    if (cut) {
      if (addJsonPrefix(text, sink)) return;
    } else {
      const parsed = parseJson(text);
      if (parsed.ok) {
        addJson(parsed.value, "body", sink, true);
        return;
      }
    }
  }
  // Without a Content-Type, `a=1&b=2` is still read as a form by lenient parsers (PHP, many proxies), so inspect its fields.
  if (contentType === "application/x-www-form-urlencoded" || (contentType === "" && looksLikeForm(text))) {
    addParams(text, "body", sink);
    return;
  }
  if (isXml(contentType)) {
    addXml(text, sink);
    return;
  }
  if (contentType === "multipart/form-data") {
    addMultipart(text, sink);
    return;
  }
  sink.add("body", "body", text);
}

function isJson(contentType: string): boolean {
  return contentType === "application/json" || contentType.endsWith("+json");
}

function isXml(contentType: string): boolean {
  return contentType === "application/xml" || contentType === "text/xml" || contentType.endsWith("+xml");
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

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
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

const PART_NAME = /(?:^|[;\s])name="([^"]{0,200})"/;
const PART_FILENAME = /\bfilename="([^"]{0,500})"/;

/** RFC 7578 parts, split on the delimiter lines; each part's `name` becomes its location. */
function addMultipart(text: string, sink: CandidateSink): void {
  const firstLineEnd = text.indexOf("\n");
  const delimiter = (firstLineEnd === -1 ? text : text.slice(0, firstLineEnd)).trim();
  if (!delimiter.startsWith("--")) {
    sink.add("body", "body", text);
    return;
  }
  for (const part of text.split(delimiter)) {
    if (sink.full) return;
    const headerEnd = part.search(/\r?\n\r?\n/);
    if (headerEnd === -1) continue;
    const head = part.slice(0, headerEnd);
    const name = PART_NAME.exec(head)?.[1] ?? "part";
    const content = part
      .slice(headerEnd)
      .replace(/^\s+/, "")
      .replace(/\r?\n$/, "");
    sink.add(`body.${name}`, "body", content, name);
    sink.add(`body.${name}`, "body-key", name);
    // The client-supplied file name: `../../etc/cron.d/x` here is how upload handlers get tricked.
    const filename = PART_FILENAME.exec(head)?.[1];
    if (filename !== undefined) sink.add(`body.${name}.filename`, "body", filename, "filename");
  }
}
