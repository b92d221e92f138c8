import type { PlainRequest } from "@parapet/core";

/**
 * Parses raw HTTP/1.1 request text (RFC 9112 §3: request line, header
 * fields, empty line, body) into a plain request. Lenient about bare LF line
 * ends, as servers are; returns an error message instead of throwing.
 */
export function parseRawRequest(raw: string): { ok: true; request: PlainRequest } | { ok: false; error: string } {
  const headerEnd = findHeaderEnd(raw);
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd.valueOf());
  const lines = head.split(/\r?\n/);
  const requestLine = (lines.shift() ?? "").trim();
  const match = /^([A-Za-z]{1,16}) (\S{1,65536})(?: HTTP\/\d(?:\.\d)?)?$/.exec(requestLine);
  if (!match) return { ok: false, error: `not an HTTP request line: "${requestLine.slice(0, 60)}"` };
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, error: `malformed header line: "${line.slice(0, 60)}"` };
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= [];
    headers[name].push(line.slice(colon + 1).trim());
  }
  const body = headerEnd === -1 ? "" : raw.slice(headerEnd).replace(/^\r?\n\r?\n/, "");
  return {
    ok: true,
    request: { method: match[1] as string, url: match[2] as string, headers, ...(body.length > 0 ? { body } : {}) },
  };
}

function findHeaderEnd(raw: string): number {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}
