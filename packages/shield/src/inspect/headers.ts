import type { CandidateSink } from "./limits.js";

/**
 * Headers an application is likely to log, store or echo back: that is what
 * makes them an injection vector (Log4Shell arrived in User-Agent). Every
 * detector reads them. Besides the browser's own (User-Agent, Referer,
 * Origin, Accept-Language), they are the client-address headers that proxies
 * set and apps show in admin pages and logs, and the file-name headers that
 * upload handlers (XHR and resumable uploads) write to disk.
 */
export const DEFAULT_HEADERS: readonly string[] = [
  "user-agent",
  "referer",
  "origin",
  "accept-language",
  "from",
  "x-requested-with",
  "x-api-version",
  // Proxies and CDNs: the client address, host and URL as the edge saw them.
  "forwarded",
  "x-forwarded-host",
  "x-forwarded-for",
  "x-forwarded-server",
  "x-real-ip",
  "x-client-ip",
  "client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
  "x-cluster-client-ip",
  "x-originating-ip",
  "x-remote-ip",
  "x-remote-addr",
  "remote-ip",
  "remote-addr",
  "x-host",
  "x-original-url",
  "x-rewrite-url",
  // Uploads: the file name the client chose, which handlers join to a directory.
  "x-file-name",
  "x-filename",
  "x-original-filename",
];

/**
 * Headers never read: credentials (evidence is logged, secrets must not be),
 * the cookie header (its pairs are read one by one), and the framing headers
 * the HTTP parser itself consumes.
 */
const NEVER_INSPECTED: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "sec-websocket-key",
  "sec-websocket-accept",
]);

/**
 * The form a header name is matched in: lowercase, with `_` and `.` read as
 * `-`. CGI and PHP expose `X-Filename`, `X_Filename` and `X.Filename` alike as
 * HTTP_X_FILENAME, so a filter that only knew the dashed spelling would be
 * walked around.
 */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.indexOf("_") === -1 && lower.indexOf(".") === -1 ? lower : lower.replace(/[_.]/g, "-");
}

/** The lookup set for a list of header names, built once per list. */
const lookups = new WeakMap<readonly string[], ReadonlySet<string>>();

function lookupFor(names: readonly string[]): ReadonlySet<string> {
  let lookup = lookups.get(names);
  if (lookup === undefined) {
    lookup = new Set(names.map(headerKey));
    lookups.set(names, lookup);
  }
  return lookup;
}

/**
 * Every header value: those named in `names` as ordinary values, the others
 * (unless never inspected, or `others` is false) as "other headers", which
 * the shield reads only for attacks that no header carries by accident (see
 * `anyHeader` in the detector registry). A custom header is where Shellshock
 * and Java gadget probes are sent, and where a Struts OGNL expression rode in
 * Content-Type.
 */
export function addHeaders(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
  others: boolean,
  sink: CandidateSink,
): void {
  const lookup = lookupFor(names);
  const all = Object.keys(headers);
  // Named headers first: a value seen twice is inspected once, and it must be by every detector.
  for (const name of all) {
    const value = headers[name];
    if (value !== undefined && lookup.has(headerKey(name))) sink.add(`header.${name}`, "header", value);
  }
  if (!others) return;
  for (const name of all) {
    const value = headers[name];
    const key = headerKey(name);
    if (value !== undefined && !lookup.has(key) && !NEVER_INSPECTED.has(key)) sink.addOtherHeader(`header.${name}`, value);
  }
}

/** Cookie values (RFC 6265 `name=value; name2=value2`), each reported as `cookie.<name>`. */
export function addCookies(cookieHeader: string | undefined, sink: CandidateSink): void {
  if (!cookieHeader) return;
  let start = 0;
  while (start < cookieHeader.length && !sink.full) {
    let end = cookieHeader.indexOf(";", start);
    if (end === -1) end = cookieHeader.length;
    const pair = cookieHeader.slice(start, end).trim();
    const eq = pair.indexOf("=");
    const name = eq === -1 ? "" : pair.slice(0, eq).trim();
    const value = eq === -1 ? pair : pair.slice(eq + 1).trim();
    sink.add(`cookie.${name}`, "cookie", unquote(value), name);
    if (name.length > 0) sink.add(`cookie.${name}`, "query-key", name);
    start = end + 1;
  }
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
