/**
 * The production resolver: node:dns, asking the system's name servers once
 * per question with a short timeout. Kept in its own module so nothing that
 * the core loads imports node:dns.
 */
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { type BotResolver, isNegativeAnswer } from "./resolver.js";

export interface DnsResolverOptions {
  /** Per-query timeout handed to c-ares, in ms. The rule enforces its own overall bound too. Default 1,000. */
  readonly timeoutMs?: number;
  /** Name servers to use instead of the system's. */
  readonly servers?: readonly string[];
}

export function createDnsResolver(options: DnsResolverOptions = {}): BotResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 1_000, tries: 1 });
  if (options.servers) resolver.setServers([...options.servers]);
  return {
    reverse: (ip) => resolver.reverse(ip),
    async resolve(host) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      const addresses = [...(v4.status === "fulfilled" ? v4.value : []), ...(v6.status === "fulfilled" ? v6.value : [])].filter(
        (a) => isIP(a) !== 0,
      );
      if (addresses.length > 0) return addresses;
      // Nothing found. "No A record" (ENODATA) proves nothing about AAAA: when the other question timed out or
      // failed, the answer is unknown, not "no such address", or an IPv6 crawler whose AAAA query was slow would be
      // called spoofed (and remembered so for an hour). Report a failure to ask before a proof of absence.
      const failures = [v4, v6].flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
      const unanswered = failures.find((error) => !isNegativeAnswer(error));
      if (unanswered !== undefined) throw unanswered;
      if (failures.length > 0) throw failures[0];
      return [];
    },
  };
}
