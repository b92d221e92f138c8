import { type Clock, type Mode, optionError, type Rule } from "@parapet/core";
import { clientKeyFor, DEFAULT_IPV6_PREFIX } from "./detect/client-key.js";
import { BoundedMap } from "./sketch/bounded-map.js";

/**
 * A temporary block list fed by the detectors (scanners, brute forcers) and
 * consulted by the protect pipeline through `blockListRule`. Entries expire;
 * at most `maxEntries` are kept (oldest forgotten first) so a flood of
 * distinct IPs cannot exhaust memory. Entries are keyed like the detectors key
 * clients: an IPv4 address, or an IPv6 network (/64 unless `ipv6Prefix` says
 * otherwise; observe() passes its own), so blocking one address of the prefix
 * blocks the whole prefix the host could rotate through.
 */
export interface BlockEntry {
  /** The blocked client: "203.0.113.7", or "2001:db8:1:2::/64" for IPv6 (its prefix). */
  readonly ip: string;
  readonly until: number;
  readonly reason: string;
}

export interface BlockList {
  /** Blocks the client at `ip`: an address (IPv6 is widened to its prefix) or a key such as "2001:db8:1:2::/64". */
  add(ip: string, durationMs: number, reason: string): void;
  /** The live entry covering this IP, if any. */
  lookup(ip: string): BlockEntry | undefined;
  remove(ip: string): void;
  entries(): BlockEntry[];
}

export function createBlockList(clock: Clock, maxEntries = 100_000, ipv6Prefix = DEFAULT_IPV6_PREFIX): BlockList {
  const clientKeyOf = clientKeyFor(ipv6Prefix);
  // Each entry with the time it was added: see `live`.
  const map = new BoundedMap<string, { entry: BlockEntry; since: number }>(maxEntries);
  /**
   * The entry if it is still in force at `now`. A clock stepped back since the entry was added (NTP, a VM restored)
   * would leave `until` that much further away: a day's step made a 10-minute block last a day and 10 minutes (a
   * NAT or a mobile carrier's address, all its users). Such an entry lasts its duration again, counted from now.
   */
  function live(key: string, now: number): BlockEntry | undefined {
    const held = map.peek(key);
    if (!held) return undefined;
    if (now < held.since) {
      const entry = { ...held.entry, until: now + (held.entry.until - held.since) };
      map.set(key, { entry, since: now });
      return entry;
    }
    if (held.entry.until > now) return held.entry;
    map.delete(key);
    return undefined;
  }
  return {
    add(ip, durationMs, reason) {
      const key = clientKeyOf(ip);
      const now = clock.now();
      map.set(key, { entry: { ip: key, until: now + durationMs, reason }, since: now });
    },
    lookup: (ip) => live(clientKeyOf(ip), clock.now()),
    remove: (ip) => map.delete(clientKeyOf(ip)),
    entries: () => {
      const now = clock.now();
      return [...map.entries()].map(([key]) => live(key, now)).filter((entry) => entry !== undefined);
    },
  };
}

export interface BlockListRuleOptions {
  /** Default "LIVE". Use "DRY_RUN" to see what the list would block first. */
  readonly mode?: Mode;
}

/** A core rule (type BLOCKLIST, cost 1: a map lookup) denying IPs the detectors put on the list. */
export function blockListRule(list: BlockList, options: BlockListRuleOptions = {}): Rule {
  const mode = options.mode ?? "LIVE";
  if (mode !== "LIVE" && mode !== "DRY_RUN") throw optionError("blockListRule", '`mode` must be "LIVE" or "DRY_RUN"');
  return {
    type: "BLOCKLIST",
    mode,
    cost: 1,
    evaluate: function checkBlockList({ request }) {
      const entry = list.lookup(request.ip);
      if (!entry) return { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "Not on the block list." } };
      return {
        conclusion: "DENY",
        key: entry.ip,
        reason: { type: "BLOCKLIST", message: "This client is temporarily blocked.", detail: entry.reason, until: entry.until } as {
          type: string;
          message: string;
        },
      };
    },
  };
}
