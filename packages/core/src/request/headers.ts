import { PLATFORM_HEADERS } from "../ip/client-ip.js";

/**
 * Header normalization shared by every request shape: names lowercased,
 * repeated values joined, and bounded so a flood of headers cannot make
 * every later check slow.
 */

/** Total header bytes we keep; Node's own default limit is 16 KiB, we allow a little more for other runtimes. */
export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_HEADER_COUNT = 2_000;

/**
 * Headers still kept past those bounds. Which headers come last is the sender's
 * choice: Web `Headers` iterate sorted by name, so 40 junk headers named "a-…"
 * (80 KB; Cloudflare Workers accept 128 KB) pushed out cf-connecting-ip and
 * x-vercel-forwarded-for, the client IP became "unknown" and every IP limit failed
 * open. These are what the client IP, the Host, the body's framing and the usual
 * rate-limit keys are read from; a fixed few, each bounded by the runtime's own
 * header limit, so keeping them cannot make later checks slow.
 */
const KEPT_PAST_BOUNDS: ReadonlySet<string> = new Set([
  ...Object.values(PLATFORM_HEADERS),
  "x-forwarded-for",
  "forwarded",
  "host",
  "content-type",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "authorization",
  "cookie",
]);

/** What a request shape hands its headers to, one raw header at a time and in order (an object, not a callback: no closure per request). */
export interface HeaderVisitor {
  add(name: string, value: string): void;
}

export interface HeaderSink extends HeaderVisitor {
  readonly headers: Record<string, string>;
  readonly anomalies: string[];
}

/**
 * The record headers are kept in. Like Object.create(null) it inherits no
 * names, so a header called "constructor" or "__proto__" is only ever itself;
 * unlike it, instances start in V8's fast mode and share hidden classes across
 * requests, which makes filling them several times cheaper on every request.
 */
class HeaderRecord {}
Object.setPrototypeOf(HeaderRecord.prototype, null);
Reflect.deleteProperty(HeaderRecord.prototype, "constructor");

/**
 * How repeats of a header are combined. "join" (Web Headers, plain records): every value, comma-joined (cookies
 * with "; "). "node": as node:http builds `IncomingMessage.headers` (unless the server was created with
 * `joinDuplicateHeaders`), which keeps only the first of the headers in NODE_FIRST_ONLY.
 */
export type Duplicates = "join" | "node";

/**
 * The headers node:http keeps only the first value of (lib/_http_incoming.js, matchKnownFields). The app reads
 * `req.headers.authorization` as that first value, so a limit keyed on `header:authorization` must be too: joined,
 * `Authorization: <the app's token>` followed by `Authorization: <anything new>` made a new key on every request
 * while the app still saw the same token, and the limit never applied.
 */
const NODE_FIRST_ONLY: ReadonlySet<string> = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

export function createHeaderSink(duplicates: Duplicates = "join"): HeaderSink {
  const firstOnly = duplicates === "node";
  const headers = new HeaderRecord() as Record<string, string>;
  const anomalies: string[] = [];
  let bytes = 0;
  let count = 0;
  let overflowed = false;
  return {
    headers,
    anomalies,
    add(rawName: string, value: string) {
      const name = rawName.toLowerCase();
      if (overflowed) {
        if (!KEPT_PAST_BOUNDS.has(name)) return;
      } else {
        bytes += name.length + value.length;
        count++;
        if (bytes > MAX_HEADER_BYTES || count > MAX_HEADER_COUNT) {
          overflowed = true;
          anomalies.push(
            `headers exceed ${MAX_HEADER_COUNT} fields or ${MAX_HEADER_BYTES} bytes; the rest were not inspected, but for the client-IP, Host, body and credential headers`,
          );
          if (!KEPT_PAST_BOUNDS.has(name)) return;
        }
      }
      const existing = headers[name];
      if (existing === undefined) headers[name] = value;
      else if (!firstOnly || !NODE_FIRST_ONLY.has(name)) headers[name] = `${existing}${name === "cookie" ? "; " : ", "}${value}`;
    },
  };
}

/**
 * Finds the value `createHeaderSink` would keep for one lowercase `name`,
 * from the same source without building the record: repeats joined alike, and
 * nothing past the same bounds. Visit the headers with it, then read `found`.
 */
export class HeaderFinder implements HeaderVisitor {
  found: string | undefined;
  #bytes = 0;
  #count = 0;
  #overflowed = false;
  readonly #firstOnly: boolean;
  readonly #keptPastBounds: boolean;

  constructor(
    readonly name: string,
    duplicates: Duplicates = "join",
  ) {
    this.#firstOnly = duplicates === "node" && NODE_FIRST_ONLY.has(name);
    this.#keptPastBounds = KEPT_PAST_BOUNDS.has(name);
  }

  add(rawName: string, value: string): void {
    if (this.#overflowed) {
      if (!this.#keptPastBounds) return;
    } else {
      // Bytes are counted on the lowercased name in the sink; lowercasing keeps the length of ASCII names.
      this.#bytes += rawName.length + value.length;
      this.#count++;
      if (this.#bytes > MAX_HEADER_BYTES || this.#count > MAX_HEADER_COUNT) {
        this.#overflowed = true;
        if (!this.#keptPastBounds) return;
      }
    }
    const name = this.name;
    if (rawName.length !== name.length || (rawName !== name && !equalsLowercase(rawName, name))) return;
    if (this.found === undefined) this.found = value;
    else if (!this.#firstOnly) this.found = `${this.found}${name === "cookie" ? "; " : ", "}${value}`;
  }
}

/** `raw.toLowerCase() === lower` for ASCII names, without allocating the lowercased copy. */
function equalsLowercase(raw: string, lower: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code > 0x7f) return raw.toLowerCase() === lower;
    const folded = code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
    if (folded !== lower.charCodeAt(i)) return false;
  }
  return true;
}

const SLASH = 0x2f;
/**
 * Scheme, "//" and authority, which ends at the first "/", "?" or "#" (RFC 3986 §3.2). Ending it at "/" alone
 * dropped the query of "http://host?q=<attack>" (the app's query parser reads it) and read "http://host?q=/x"
 * as the path "/x".
 */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]{0,20}:\/\/[^/?#]*/i;

/**
 * Splits "/a/b?x=1" into path and query; tolerates absolute-form and garbage.
 *
 * A request target has no fragment (RFC 9112 §3.2; browsers never send one), but routers disagree on a `#` that is
 * sent: Express and WHATWG URLs drop it and what follows, Fastify's router ends the path there and parses the rest
 * as the query (`/search#?q=…` reached the app as `{"?q": …}`, `/s?x=1#&q=…` as `q`). Dropping it hid those values
 * from every rule, so the path ends at the first `?` or `#` and the query is all that follows, fragment included.
 */
export function splitTarget(rawTarget: string | undefined, anomalies: string[]): { path: string; query: string } {
  let target = rawTarget ?? "";
  if (target === "") {
    anomalies.push("request has no URL; treated as /");
    return { path: "/", query: "" };
  }
  // Absolute-form (RFC 9112 §3.2.2): "http://host/path?q"; keep only path and query.
  // Origin-form ("/path", nearly every request) cannot be one: no regex for it.
  const scheme = target.charCodeAt(0) === SLASH ? null : ABSOLUTE_FORM.exec(target);
  if (scheme) {
    // The match ends with the authority (see ABSOLUTE_FORM).
    const end = scheme[0].length;
    target = target.charCodeAt(end) === SLASH ? target.slice(end) : `/${target.slice(end)}`;
  }
  const end = pathEnd(target);
  let path = end === -1 ? target : target.slice(0, end);
  const query = end === -1 ? "" : target.slice(end + 1);
  if (end !== -1 && target.includes("#", end)) anomalies.push("request target holds a fragment (#), which clients never send");
  if (!path.startsWith("/")) {
    if (path !== "*") anomalies.push(`request target "${truncate(path)}" does not start with "/"`);
    path = `/${path}`;
  }
  return { path, query };
}

/** Where the path of a request target ends: its first `?` or `#`, or -1. */
function pathEnd(target: string): number {
  const question = target.indexOf("?");
  const hash = target.indexOf("#");
  if (hash === -1) return question;
  return question === -1 || hash < question ? hash : question;
}

export function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** "application/json; charset=utf-8" -> "application/json". */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return "";
  const semi = contentType.indexOf(";");
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
