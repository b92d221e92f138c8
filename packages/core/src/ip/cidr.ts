import { ErrorCodes, ParapetError } from "../errors.js";
import { formatIp, maskIp, type ParsedIp, parseIp } from "./parse.js";
import { versionsCoveredWhole } from "./range-union.js";

export interface Cidr {
  readonly network: ParsedIp;
  readonly prefixLength: number;
}

/** Named ranges an operator may list instead of CIDRs. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  // RFC 1918, RFC 4193 unique-local, and RFC 6598 carrier-grade NAT.
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
};

export function parseCidr(text: string): Cidr | undefined {
  const read = readCidr(text);
  return read && { network: maskIp(read.address, read.prefixLength), prefixLength: read.prefixLength };
}

interface ReadCidr {
  /** The address as written, host bits and all. */
  readonly address: ParsedIp;
  readonly prefixLength: number;
}

/**
 * The address and prefix of a CIDR as written. An IPv4-mapped range ("::ffff:10.0.0.0/104") is its IPv4 range
 * (10.0.0.0/8): addresses are parsed the same way, so a mapped peer is matched as the IPv4 client it is. Its
 * prefix must then cover the mapped block (96 or more); a shorter one reaches into IPv6 space that no IPv4 peer
 * is in.
 */
function readCidr(text: string): ReadCidr | undefined {
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (!address) return undefined;
  const mapped = address.version === 4 && addressText.includes(":");
  const max = mapped ? 128 : address.version === 4 ? 32 : 128;
  let prefixLength = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefixLength = Number(digits);
    if (prefixLength > max) return undefined;
  }
  if (mapped) {
    if (prefixLength < MAPPED_PREFIX) return undefined;
    prefixLength -= MAPPED_PREFIX;
  }
  return { address, prefixLength };
}

/** The bits of ::ffff:0:0/96, the IPv4-mapped block. */
const MAPPED_PREFIX = 96;

/**
 * Expands names ("loopback", "private", "linklocal") and parses every range; throws on a bad one. For trusted
 * proxies, so stricter than parseCidr: a range that trusts every address, a list whose ranges do so together, or
 * a range with bits set past its prefix (a typo that silently widened one proxy to a /8), is refused with what to
 * write instead.
 */
export function parseRanges(entries: readonly string[], where: string): Cidr[] {
  // A lone string would be read character by character ("10.0.0.1" failing on "1"), a number would throw a TypeError.
  if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === "string")) {
    throw new ParapetError(ErrorCodes.INVALID_PROXY, `${where} must be an array of strings, e.g. ["10.0.0.0/8"] or ["loopback"]`);
  }
  const out: Cidr[] = [];
  for (const entry of entries) {
    const named = NAMED_RANGES[entry.toLowerCase()];
    for (const text of named ?? [entry]) {
      const read = readCidr(text);
      if (!read) {
        throw new ParapetError(
          ErrorCodes.INVALID_PROXY,
          `${where}: "${entry}" is not an IP address, a CIDR range such as "10.0.0.0/8" (or "::ffff:10.0.0.0/104"), or one of ${Object.keys(NAMED_RANGES).join(", ")}`,
        );
      }
      const cidr: Cidr = { network: maskIp(read.address, read.prefixLength), prefixLength: read.prefixLength };
      if (cidr.prefixLength === 0) {
        // Every peer would be a trusted proxy, so every client could name its own address in the forwarding header
        // and pass every IP limit: the walk would end at the leftmost entry, which the client wrote.
        throw new ParapetError(
          ErrorCodes.INVALID_PROXY,
          `${where}: "${entry}" trusts every IPv${cidr.network.version} address, so any client could choose its own IP with a forwarding header and pass every IP limit; list only your proxies or load balancers (e.g. "10.0.0.0/8", "private" inside your network), or set \`platform\` if the app runs behind Cloudflare, Fly, Vercel…`,
        );
      }
      if (!sameBytes(cidr.network.bytes, read.address.bytes)) {
        const network = formatIp(cidr.network);
        throw new ParapetError(
          ErrorCodes.INVALID_PROXY,
          `${where}: "${entry}" has bits set past its /${cidr.prefixLength} prefix; write "${network}/${cidr.prefixLength}" for the whole range, or "${formatIp(read.address)}" for the one address`,
        );
      }
      out.push(cidr);
    }
  }
  // The same hole as a /0, dug in pieces: "0.0.0.0/1" + "128.0.0.0/1", or IPv6 halves.
  const covered = versionsCoveredWhole(out);
  if (covered.length > 0) {
    throw new ParapetError(
      ErrorCodes.INVALID_PROXY,
      `${where}: the ranges ${JSON.stringify(entries)} together trust every IPv${covered.join(" and IPv")} address, so any client could choose its own IP with a forwarding header and pass every IP limit; list only the ranges your proxies or load balancers actually use (e.g. "10.0.0.0/8", "private" inside your network), or set \`platform\` if the app runs behind Cloudflare, Fly, Vercel…`,
    );
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.network.version !== ip.version) return false;
  const full = cidr.prefixLength >> 3;
  for (let i = 0; i < full; i++) if (cidr.network.bytes[i] !== ip.bytes[i]) return false;
  const rest = cidr.prefixLength & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((cidr.network.bytes[full] as number) & mask) === ((ip.bytes[full] as number) & mask);
}

export function anyContains(ranges: readonly Cidr[], ip: ParsedIp): boolean {
  for (const range of ranges) if (cidrContains(range, ip)) return true;
  return false;
}
