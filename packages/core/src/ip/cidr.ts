import { ErrorCodes, ParapetError } from "../errors.js";
import { maskIp, type ParsedIp, parseIp } from "./parse.js";

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
  const slash = text.indexOf("/");
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  let prefixLength = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefixLength = Number(digits);
    if (prefixLength > max) return undefined;
  }
  return { network: maskIp(ip, prefixLength), prefixLength };
}

/** Expands names ("loopback", "private", "linklocal") and parses every range; throws on a bad one. */
export function parseRanges(entries: readonly string[], where: string): Cidr[] {
  // A lone string would be read character by character ("10.0.0.1" failing on "1"), a number would throw a TypeError.
  if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === "string")) {
    throw new ParapetError(ErrorCodes.INVALID_PROXY, `${where} must be an array of strings, e.g. ["10.0.0.0/8"] or ["loopback"]`);
  }
  const out: Cidr[] = [];
  for (const entry of entries) {
    const named = NAMED_RANGES[entry.toLowerCase()];
    for (const text of named ?? [entry]) {
      const cidr = parseCidr(text);
      if (!cidr) {
        throw new ParapetError(
          ErrorCodes.INVALID_PROXY,
          `${where}: "${entry}" is not an IP address, a CIDR range such as "10.0.0.0/8", or one of ${Object.keys(NAMED_RANGES).join(", ")}`,
        );
      }
      out.push(cidr);
    }
  }
  return out;
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
