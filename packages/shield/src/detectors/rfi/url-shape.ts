/**
 * The parts of a remote URL that matter for inclusion: is the host a raw
 * address, what file does the path name, and does the URL end in a bare
 * `?` or `#`, which turns whatever the app appends (`.php`) into a query or
 * a fragment the remote server ignores.
 */

import { classifyHost, parseIpv4 } from "../ssrf/host.js";
import { hostOf } from "../ssrf/index.js";

export interface RemoteUrl {
  /** `scheme://host`, for evidence. */
  readonly origin: string;
  /** Start of the URL in the value. */
  readonly index: number;
  readonly rawIpHost: boolean;
  /** Lowercase extension of the path's last segment, without the dot; "" when none. */
  readonly extension: string;
  /** No path, or `/` alone. */
  readonly bare: boolean;
  /**
   * The URL is the whole value and ends in `?` or `#`: a suffix cutter. In
   * prose (`is it http://example.com?`) the mark is punctuation, so a URL
   * that does not start the value never has one.
   */
  readonly cutsSuffix: boolean;
  /** Ends in `?` (not `#`): `https://example.com/#` is an ordinary link to a page's top. */
  readonly cutsWithQuery: boolean;
  /** ftp or ftps: browsers dropped it, so a link to one is rarely a page a user shares. */
  readonly ftp: boolean;
  /** A query follows the path (`page.php?id=2`): a link to a page, not a file to include. */
  readonly hasQuery: boolean;
}

/** Schemes PHP's include reads remote code through (allow_url_include): http and ftp. */
const REMOTE_URL = /\b(https?|ftps?):\/\//g;
/** Enough for any real value; a value listing more URLs is judged on its first ones. */
const MAX_URLS = 8;

/**
 * Every URL to a host outside the server's network, in order. Internal
 * targets (`http://127.0.0.1/`) are left out: they are the SSRF detector's.
 * `value` is trimmed by the caller, so a URL at index 0 is the whole value's start.
 */
export function remoteUrls(value: string): RemoteUrl[] {
  const urls: RemoteUrl[] = [];
  REMOTE_URL.lastIndex = 0;
  for (let match = REMOTE_URL.exec(value); match !== null && urls.length < MAX_URLS; match = REMOTE_URL.exec(value)) {
    const authorityStart = match.index + match[0].length;
    const host = hostOf(value, authorityStart);
    if (host.length === 0 || classifyHost(host) !== undefined) continue;
    const pathStart = authorityEnd(value, authorityStart);
    const pathEnd = endOfPath(value, pathStart);
    const path = value.slice(pathStart, pathEnd);
    const cutsSuffix = match.index === 0 && endsInCutter(value, pathEnd);
    urls.push({
      origin: `${match[1] as string}://${host}`,
      index: match.index,
      rawIpHost: isIpLiteral(host),
      extension: extensionOf(path),
      bare: path.length <= 1,
      cutsSuffix,
      cutsWithQuery: cutsSuffix && value.charCodeAt(pathEnd) === 63,
      ftp: (match[1] as string).startsWith("ftp"),
      hasQuery: value.charCodeAt(pathEnd) === 63 && !cutsSuffix,
    });
  }
  return urls;
}

/** Where the authority ends: at `/ ? #`, a backslash, whitespace or a quote (as `hostOf` reads it). */
function authorityEnd(value: string, start: number): number {
  let end = start;
  while (end < value.length && end - start < 300) {
    const c = value.charCodeAt(end);
    if (c === 47 || c === 63 || c === 35 || c === 92 || c <= 32 || c === 34 || c === 39) break;
    end++;
  }
  return end;
}

function endOfPath(value: string, start: number): number {
  let end = start;
  while (end < value.length && end - start < 2000) {
    const c = value.charCodeAt(end);
    if (c === 63 || c === 35 || c <= 32 || c === 34 || c === 39) break;
    end++;
  }
  return end;
}

/** `?`, `??` or `#` and then the end of the value. */
function endsInCutter(value: string, at: number): boolean {
  const c = value.charCodeAt(at);
  if (c !== 63 && c !== 35) return false;
  let end = at;
  while (end < value.length && (value.charCodeAt(end) === 63 || value.charCodeAt(end) === 35)) end++;
  return end === value.length;
}

function extensionOf(path: string): string {
  const slash = path.lastIndexOf("/");
  const segment = path.slice(slash + 1);
  const dot = segment.lastIndexOf(".");
  if (dot <= 0 || segment.length - dot > 8) return "";
  return segment.slice(dot + 1).toLowerCase();
}

/** Dotted-decimal IPv4 or an IPv6 literal, bracketed or (as some clients accept) bare. */
function isIpLiteral(host: string): boolean {
  if (host.startsWith("[")) return true;
  if (BARE_IPV6.test(host)) return true;
  return DOTTED_QUAD.test(host) && parseIpv4(host) !== undefined;
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const BARE_IPV6 = /^[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}$/i;
