import { createClientIpResolver } from "@parapet/core";

/**
 * The key the detectors and the block list use for a client: its IPv4 address,
 * or its IPv6 /64 ("2001:db8:1:2::/64"). An ISP hands a host a whole /64, so
 * keying IPv6 by the exact address would let a scanner start every bucket (and
 * escape every block) afresh by moving to the next address; core's rate limits
 * key IPv6 by its /64 too (its default `ipv6Prefix`), and this reuses core's
 * function so both agree. An IPv4-mapped address (::ffff:1.2.3.4) is the IPv4
 * client. A key is its own key ("2001:db8:1:2::/64" comes back unchanged), so a
 * finding's subject can be handed to the block list as is.
 */
export const clientKeyOf: (ip: string) => string = createClientIpResolver().keyOf;
