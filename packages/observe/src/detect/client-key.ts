import { createClientIpResolver } from "@parapet/core";

/** Core's default `ipv6Prefix`: an ISP hands a host a whole /64. */
export const DEFAULT_IPV6_PREFIX = 64;

/** How the detectors and the block list name a client (see `clientKeyFor`). */
export type ClientKey = (ip: string) => string;

/**
 * The key the detectors and the block list use for a client: its IPv4 address,
 * or its IPv6 network ("2001:db8:1:2::/64" by default). Keying IPv6 by the
 * exact address would let a scanner start every bucket (and escape every
 * block) afresh by moving to the next address of the prefix it owns. This is
 * core's own function, so an `observe({ ipv6Prefix })` given the same value as
 * `parapet({ ipv6Prefix })` keys clients exactly as the rate limits do. An
 * IPv4-mapped address (::ffff:1.2.3.4) is the IPv4 client. A key is its own
 * key ("2001:db8:1:2::/64" comes back unchanged), so a finding's subject can
 * be handed to the block list as is.
 */
export function clientKeyFor(ipv6Prefix: number = DEFAULT_IPV6_PREFIX): ClientKey {
  return createClientIpResolver({ ipv6Prefix }).keyOf;
}

/** The key with core's default /64. */
export const clientKeyOf: ClientKey = clientKeyFor();
