import { BoundedCache } from "./bounded-cache.js";

/**
 * Store keys for rules that count by client IP alone (the default), kept per
 * rule and address. Building `ruleId|ip=…` afresh on every request meant a
 * string concatenation, an address check, and hashing a new ~50-character
 * key in the store; a hit here returns the same string as last time, whose
 * hash is already known. Addresses come from the network, so each rule's map
 * is bounded and simply emptied when full; rule ids come from configuration.
 * The bound is above a busy server's active clients (with 4,096, a bench of
 * 10,000 clients emptied the map before any address came back: no hits at
 * all); at about 80 bytes an entry (the key strings are the store's own) the
 * full map is ~1.3 MB per IP-keyed rule.
 */
const MAX_ADDRESSES_PER_RULE = 16_384;
const MAX_RULES = 256;

export class IpKeyCache {
  readonly #byRule = new Map<string, BoundedCache<string>>();
  // The rule asked last, and its map: with one IP-keyed rule (the usual case) the outer lookup is skipped.
  #lastRuleId: string | undefined;
  #lastKeys: BoundedCache<string> | undefined;

  get(ruleId: string, ip: string): string | undefined {
    if (ruleId !== this.#lastRuleId) {
      this.#lastRuleId = ruleId;
      this.#lastKeys = this.#byRule.get(ruleId);
    }
    return this.#lastKeys?.get(ip);
  }

  set(ruleId: string, ip: string, key: string): void {
    let keys = this.#byRule.get(ruleId);
    if (keys === undefined) {
      if (this.#byRule.size >= MAX_RULES) this.#byRule.clear();
      keys = new BoundedCache(MAX_ADDRESSES_PER_RULE);
      this.#byRule.set(ruleId, keys);
      this.#lastRuleId = undefined; // the cleared or new map must be looked up again
    }
    keys.set(ip, key);
  }
}
