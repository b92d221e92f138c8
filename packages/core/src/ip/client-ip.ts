import { BoundedCache } from "../bounded-cache.js";
import { optionError } from "../errors.js";
import { anyContains, type Cidr, parseRanges } from "./cidr.js";
import { formatIp, isCanonicalIpv4, maskIp, type ParsedIp, parseIp } from "./parse.js";

/**
 * Platforms whose edge sets a client-IP header that the app can trust when it
 * runs behind that platform (and only then: anyone can send these headers).
 */
export const PLATFORM_HEADERS = {
  cloudflare: "cf-connecting-ip",
  fly: "fly-client-ip",
  vercel: "x-vercel-forwarded-for",
  fastly: "fastly-client-ip",
  akamai: "true-client-ip",
  render: "true-client-ip",
  "google-cloud": "x-forwarded-for",
} as const;

export type Platform = keyof typeof PLATFORM_HEADERS;

export interface ClientIpOptions {
  /**
   * Proxies whose forwarding headers are believed: IPs, CIDRs, or "loopback",
   * "private", "linklocal". Empty (the default) means the socket address is the client.
   */
  readonly proxies?: readonly string[];
  /** The platform the app runs behind; its client-IP header is then trusted. */
  readonly platform?: Platform;
  /** IPv6 clients are keyed by this prefix (default 64): a host holds a whole /64 and could rotate through it. */
  readonly ipv6Prefix?: number;
  /**
   * The one header the trusted proxies write the chain into: "x-forwarded-for"
   * (default; nginx, HAProxy, AWS and most load balancers) or "forwarded"
   * (RFC 7239). Only that header is read: a proxy passes the other one on
   * as the client sent it, so reading both would let a client pick its own address.
   */
  readonly forwardedHeader?: ForwardedHeader;
}

export type ForwardedHeader = "x-forwarded-for" | "forwarded";

export interface ClientIpResolver {
  /** The client's address, canonical, or "unknown". */
  resolve(socketIp: string | undefined, headers: Readonly<Record<string, string>>): string;
  /** The rate-limit key for an address: IPv6 masked to its prefix. */
  keyOf(ip: string): string;
  /**
   * False when `resolve` never reads headers (no proxy or platform trusted),
   * so a request's headers need not be normalized just to find its IP.
   * Absent means true: a custom resolver is assumed to read them.
   */
  readonly needsHeaders?: boolean;
}

export function createClientIpResolver(options: ClientIpOptions = {}): ClientIpResolver {
  const trusted: Cidr[] = parseRanges(options.proxies ?? [], "parapet `proxies`");
  const platform = options.platform;
  // Own keys only: `in` also found "constructor" and "toString" on the prototype, accepting them as platforms.
  if (platform !== undefined && !Object.hasOwn(PLATFORM_HEADERS, platform)) {
    throw optionError("parapet", `unknown platform "${platform}"; use one of ${Object.keys(PLATFORM_HEADERS).join(", ")}`);
  }
  const forwardedHeader = options.forwardedHeader ?? "x-forwarded-for";
  if (forwardedHeader !== "x-forwarded-for" && forwardedHeader !== "forwarded") {
    throw optionError("parapet", '`forwardedHeader` must be "x-forwarded-for" (the default) or "forwarded": the header your proxy writes');
  }
  const ipv6Prefix = options.ipv6Prefix ?? 64;
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 1 || ipv6Prefix > 128) {
    throw optionError("parapet", "`ipv6Prefix` must be an integer from 1 to 128");
  }

  function isTrusted(ip: ParsedIp): boolean {
    return anyContains(trusted, ip);
  }

  // With no proxy or platform to trust, the client is the socket peer and
  // nothing else: its canonical form depends on the address text alone.
  const peerOnly = trusted.length === 0 && platform === undefined;
  const peerCache = new BoundedCache<string>(MAX_CACHED_ADDRESSES, MAX_CACHED_ADDRESS_LENGTH);
  const keyCache = new BoundedCache<string>(MAX_CACHED_ADDRESSES, MAX_CACHED_ADDRESS_LENGTH);

  function resolve(socketIp: string | undefined, headers: Readonly<Record<string, string>>): string {
    if (peerOnly && socketIp !== undefined) {
      if (isCanonicalIpv4(socketIp)) return socketIp;
      // A dual-stack server sees IPv4 clients as "::ffff:a.b.c.d" (RFC 4291 §2.5.5.2): that client is a.b.c.d.
      if (socketIp.startsWith(MAPPED_IPV4_PREFIX)) {
        const v4 = socketIp.slice(MAPPED_IPV4_PREFIX.length);
        if (isCanonicalIpv4(v4)) return v4;
      }
      const cached = peerCache.get(socketIp);
      if (cached !== undefined) return cached;
      const peerText = resolveSlow(socketIp, headers);
      peerCache.set(socketIp, peerText);
      return peerText;
    }
    return resolveSlow(socketIp, headers);
  }

  function resolveSlow(socketIp: string | undefined, headers: Readonly<Record<string, string>>): string {
    const peer = parseIp(socketIp);
    if (platform !== undefined) {
      const fromPlatform = platformClient(platform, headers[PLATFORM_HEADERS[platform]]);
      if (fromPlatform) return formatIp(fromPlatform);
    }
    if (!peer) return "unknown";
    if (trusted.length === 0 || !isTrusted(peer)) return formatIp(peer);
    // The peer is a proxy we trust: walk the hops it reports, right to left,
    // skipping our own proxies. The first untrusted hop is the client; anything
    // left of it was written by the client and could be forged.
    const hops = forwardedHops(headers, forwardedHeader);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseIp(hops[i]);
      if (!hop) return formatIp(peer); // an unparseable hop: stop believing the chain
      if (!isTrusted(hop)) return formatIp(hop);
    }
    const leftmost = hops.length > 0 ? parseIp(hops[0]) : undefined;
    return formatIp(leftmost ?? peer);
  }

  function keyOf(ip: string): string {
    if (isCanonicalIpv4(ip)) return ip;
    const cached = keyCache.get(ip);
    if (cached !== undefined) return cached;
    const key = keyOfSlow(ip);
    keyCache.set(ip, key);
    return key;
  }

  function keyOfSlow(ip: string): string {
    const parsed = parseIp(ip);
    if (!parsed) return ip;
    return parsed.version === 6 ? `${formatIp(maskIp(parsed, ipv6Prefix))}/${ipv6Prefix}` : formatIp(parsed);
  }

  return { resolve, keyOf, needsHeaders: !peerOnly };
}

/**
 * Address text -> its canonical form, for the few addresses a server sees
 * most (a proxy, "::ffff:"-mapped peers, IPv6 clients).
 */
const MAX_CACHED_ADDRESSES = 1024;
/** Longer text is no address a cache would see twice. */
const MAX_CACHED_ADDRESS_LENGTH = 64;

const MAPPED_IPV4_PREFIX = "::ffff:";

/**
 * The client a platform's header names. Most platforms overwrite a header of
 * their own with the one address. Google Cloud writes X-Forwarded-For: Cloud
 * Run replaces it with the client, while its load balancers append
 * `<client>, <load balancer>` to whatever the client sent, so there the client
 * is the second entry from the right; anything further left is the client's own.
 */
function platformClient(platform: Platform, value: string | undefined): ParsedIp | undefined {
  if (!value) return undefined;
  if (platform !== "google-cloud") return parseIp(value.split(",")[0]);
  const hops = value.split(",");
  return parseIp(hops.length === 1 ? hops[0] : hops[hops.length - 2]);
}

/** The forwarding chain, oldest hop first, from the header the proxies write (see ClientIpOptions.forwardedHeader). */
export function forwardedHops(headers: Readonly<Record<string, string>>, header: ForwardedHeader = "x-forwarded-for"): string[] {
  if (header === "forwarded") {
    const forwarded = headers.forwarded;
    if (!forwarded) return [];
    // One hop per element, as each proxy appends one. An element without exactly one `for` (RFC 7239 makes it
    // optional: a proxy may send only `proto` or `by`) is a hop that names no address, so the walk stops there;
    // skipping it made the element before it, which the client wrote, the client's address
    // (`Forwarded: for=<anything>` + the proxy's `, proto=https` chose the key).
    const hops: string[] = [];
    for (const element of forwarded.split(",")) {
      if (element.trim() === "") continue; // empty list elements are allowed and mean nothing (RFC 9110 §5.6.1)
      let hop: string | undefined;
      let fors = 0;
      for (const pair of element.split(";")) {
        const eq = pair.indexOf("=");
        if (eq === -1) continue;
        if (pair.slice(0, eq).trim().toLowerCase() !== "for") continue;
        let value = pair.slice(eq + 1).trim();
        if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        hop = value;
        fors++;
      }
      hops.push(fors === 1 ? (hop as string) : "");
    }
    return hops;
  }
  const xff = headers["x-forwarded-for"];
  if (!xff) return [];
  return xff
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
}
