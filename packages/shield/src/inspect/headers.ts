import type { CandidateSink } from "./limits.js";

/**
 * Headers an application is likely to log, store or echo back: that is what
 * makes them an injection vector (Log4Shell arrived in User-Agent). Headers
 * the HTTP stack itself consumes (Accept, Content-Length…) are not inspected.
 */
export const DEFAULT_HEADERS: readonly string[] = [
  "user-agent",
  "referer",
  "origin",
  "x-forwarded-host",
  "x-forwarded-for",
  "x-real-ip",
  "x-original-url",
  "x-rewrite-url",
  "x-api-version",
  "x-requested-with",
  "accept-language",
];

export function addHeaders(headers: Readonly<Record<string, string>>, names: readonly string[], sink: CandidateSink): void {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) sink.add(`header.${name}`, "header", value);
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
