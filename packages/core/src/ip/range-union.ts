import type { Cidr } from "./cidr.js";

/**
 * What a list of trusted ranges covers once merged. Checking each range alone let a list through that trusts
 * everything in pieces ("0.0.0.0/1" + "128.0.0.0/1"); so the ranges are turned into integer spans and merged.
 * Construction-time only: bigint arithmetic, never on the request path.
 */

/** A half-open span of addresses [start, end) as integers. */
type Span = readonly [start: bigint, end: bigint];

function spanOf(cidr: Cidr): Span {
  let start = 0n;
  for (const byte of cidr.network.bytes) start = (start << 8n) | BigInt(byte);
  const hostBits = cidr.network.bytes.length * 8 - cidr.prefixLength;
  return [start, start + (1n << BigInt(hostBits))];
}

function spanOfText(start: string, prefixLength: number, version: 4 | 6): Span {
  const bits = version === 4 ? 32 : 128;
  const first = version === 4 ? start.split(".").reduce((n, part) => (n << 8n) | BigInt(part), 0n) : BigInt(start);
  return [first, first + (1n << BigInt(bits - prefixLength))];
}

/** The spans of one version's ranges, sorted and merged so none touch or overlap. */
function mergedSpans(ranges: readonly Cidr[], version: 4 | 6, extra: readonly Span[] = []): Span[] {
  const spans = [...ranges.filter((range) => range.network.version === version).map(spanOf), ...extra];
  spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[bigint, bigint]> = [];
  for (const [start, end] of spans) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) {
      if (end > last[1]) last[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

/**
 * IPv4-mapped addresses (::ffff:0:0/96) are parsed as the IPv4 peers they are, so no IPv6 peer is ever in that
 * block: IPv6 ranges that cover everything but it trust every IPv6 peer there can be.
 */
const IPV4_MAPPED: Span = spanOfText("0xffff00000000", 96, 6);

/** The versions (4, 6) whose every possible peer is inside the union of `ranges`. */
export function versionsCoveredWhole(ranges: readonly Cidr[]): Array<4 | 6> {
  const covered: Array<4 | 6> = [];
  for (const version of [4, 6] as const) {
    if (!ranges.some((range) => range.network.version === version)) continue;
    const spans = mergedSpans(ranges, version, version === 6 ? [IPV4_MAPPED] : []);
    const whole = 1n << (version === 4 ? 32n : 128n);
    const only = spans[0];
    if (spans.length === 1 && only && only[0] === 0n && only[1] === whole) covered.push(version);
  }
  return covered;
}

/**
 * Space no client on the Internet connects from. IPv4: "this network", RFC 1918, carrier-grade NAT, loopback,
 * link-local, benchmarking, multicast and the reserved class E. IPv6: only 2000::/3 is allocated as global
 * unicast (RFC 4291 §2.4), so everything outside it counts as non-public there.
 */
const NON_PUBLIC_IPV4: readonly Span[] = [
  spanOfText("0.0.0.0", 8, 4),
  spanOfText("10.0.0.0", 8, 4),
  spanOfText("100.64.0.0", 10, 4),
  spanOfText("127.0.0.0", 8, 4),
  spanOfText("169.254.0.0", 16, 4),
  spanOfText("172.16.0.0", 12, 4),
  spanOfText("192.168.0.0", 16, 4),
  spanOfText("198.18.0.0", 15, 4),
  spanOfText("224.0.0.0", 3, 4),
];
const GLOBAL_UNICAST_IPV6: Span = spanOfText("0x20000000000000000000000000000000", 3, 6);

/**
 * The most public addresses a trusted list holds before Parapet warns: a /8 of IPv4 (16.7M addresses, the
 * largest block any one organisation was ever allocated) or a /32 of IPv6 (a whole ISP's allocation). No
 * proxy fleet spans more; a list that does trusts strangers (every customer of a cloud region, say), and each
 * of them can name any client IP in a forwarding header.
 */
const MAX_PUBLIC_IPV4 = 1n << 24n;
const MAX_PUBLIC_IPV6 = 1n << 96n;

function overlap(a: Span, b: Span): bigint {
  const start = a[0] > b[0] ? a[0] : b[0];
  const end = a[1] < b[1] ? a[1] : b[1];
  return end > start ? end - start : 0n;
}

function publicCount(span: Span, version: 4 | 6): bigint {
  if (version === 6) return overlap(span, GLOBAL_UNICAST_IPV6);
  let count = span[1] - span[0];
  // The non-public spans are disjoint, so subtracting each overlap counts no address twice.
  for (const reserved of NON_PUBLIC_IPV4) count -= overlap(span, reserved);
  return count;
}

/**
 * The ranges holding public addresses, when the whole list holds more of them than a /8 (IPv4) or /32 (IPv6);
 * otherwise none. Counted over the merged list, so many adjacent /9s warn as a /7 would.
 */
export function widePublicRanges(ranges: readonly Cidr[]): Cidr[] {
  const wide: Cidr[] = [];
  for (const version of [4, 6] as const) {
    let count = 0n;
    for (const span of mergedSpans(ranges, version)) count += publicCount(span, version);
    if (count <= (version === 4 ? MAX_PUBLIC_IPV4 : MAX_PUBLIC_IPV6)) continue;
    for (const range of ranges) {
      if (range.network.version === version && publicCount(spanOf(range), version) > 0n) wide.push(range);
    }
  }
  return wide;
}
