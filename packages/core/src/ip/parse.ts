/**
 * IP address parsing without node:net, so the core runs anywhere (Node, edge
 * runtimes). Addresses are parsed into bytes: 4 for IPv4, 16 for IPv6.
 * Every function is total: bad input gives undefined, never a throw.
 */

export interface ParsedIp {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

const MAX_IP_LENGTH = 64;

export function parseIpv4(text: string): Uint8Array | undefined {
  // A single scan, no split(): this runs on every request, twice.
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      // Dotted-decimal only: leading zeros are octal in some parsers, so they are refused.
      if (digits === 0 || part > 3 || (digits > 1 && text.charCodeAt(i - digits) === 48) || value > 255) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || ++digits > 3) return undefined;
    value = value * 10 + d;
  }
  return part === 4 ? bytes : undefined;
}

/**
 * True when `text` is already a canonical dotted-quad ("10.0.0.1"): exactly
 * what parseIpv4 accepts, which formatIp would print back unchanged. Lets the
 * request path skip parsing and formatting the common socket address.
 */
export function isCanonicalIpv4(text: string): boolean {
  const length = text.length;
  if (length < 7 || length > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= length; i++) {
    const c = i === length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || parts > 3 || (digits > 1 && text.charCodeAt(i - digits) === 48) || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || ++digits > 3) return false;
    value = value * 10 + d;
  }
  return parts === 4;
}

export function parseIpv6(input: string): Uint8Array | undefined {
  let text = input;
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const bytes = new Uint8Array(16);
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : (halves[0] as string).split(":");
  const tail = halves.length === 2 ? (halves[1] === "" ? [] : (halves[1] as string).split(":")) : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  if (!readGroups(head, groups, halves.length === 1 && tail.length === 0)) return undefined;
  if (!readGroups(tail, tailGroups, true)) return undefined;
  const total = groups.length + tailGroups.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  for (let i = 0; i < groups.length; i++) writeGroup(bytes, i, groups[i] as number);
  for (let i = 0; i < tailGroups.length; i++) writeGroup(bytes, 8 - tailGroups.length + i, tailGroups[i] as number);
  return bytes;
}

/** Reads hex groups; the last group may be an embedded IPv4 address (::ffff:1.2.3.4). */
function readGroups(parts: string[], out: number[], mayEndWithIpv4: boolean): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i === parts.length - 1 && mayEndWithIpv4 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return false;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (part.length === 0 || part.length > 4) return false;
    let value = 0;
    for (let j = 0; j < part.length; j++) {
      const d = hexDigit(part.charCodeAt(j));
      if (d < 0) return false;
      value = value * 16 + d;
    }
    out.push(value);
  }
  return true;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function writeGroup(bytes: Uint8Array, index: number, value: number): void {
  bytes[index * 2] = value >> 8;
  bytes[index * 2 + 1] = value & 0xff;
}

/** Parses an IPv4 or IPv6 address, tolerating brackets and a port ("[::1]:80", "1.2.3.4:5"). */
export function parseIp(raw: string | undefined | null): ParsedIp | undefined {
  if (!raw) return undefined;
  let text = raw.trim();
  if (text.length === 0 || text.length > MAX_IP_LENGTH) return undefined;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end === -1) return undefined;
    text = text.slice(1, end);
  } else if (text.indexOf(":") !== -1 && text.indexOf(":") === text.lastIndexOf(":") && text.includes(".")) {
    text = text.slice(0, text.indexOf(":")); // "1.2.3.4:8080"
  }
  if (text.includes(":")) {
    const bytes = parseIpv6(text);
    if (!bytes) return undefined;
    return unmapIpv4(bytes) ?? { version: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes ? { version: 4, bytes } : undefined;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 client: key it as one. */
function unmapIpv4(bytes: Uint8Array): ParsedIp | undefined {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined;
  return { version: 4, bytes: bytes.slice(12) };
}

export function formatIp(ip: ParsedIp): string {
  const b = ip.bytes;
  if (ip.version === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((ip.bytes[i * 2] as number) << 8) | (ip.bytes[i * 2 + 1] as number));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, lowercase hex.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}

/** The canonical text of an address, or undefined when it is not one. */
export function canonicalIp(raw: string | undefined | null): string | undefined {
  const parsed = parseIp(raw);
  return parsed ? formatIp(parsed) : undefined;
}

/** Zeroes every bit past `prefixLength`. */
export function maskIp(ip: ParsedIp, prefixLength: number): ParsedIp {
  const bytes = ip.bytes.slice();
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    const index = bit >> 3;
    bytes[index] = (bytes[index] as number) & ~(0x80 >> (bit & 7));
  }
  return { version: ip.version, bytes };
}
