import { createHash } from "node:crypto";

/** Keys longer than this are replaced by their hash, so attacker-chosen values cannot grow Redis memory. */
const MAX_KEY_LENGTH = 512;

/**
 * A UTF-16 surrogate without its pair. In unicode mode a regex reads the
 * string by code points, so only an unpaired one matches; one character
 * class, no quantifier: linear time.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export type Algorithm = "fw" | "sw" | "tb";

/**
 * `<prefix>{<key>}:<algorithm>`. The braces are a Redis Cluster hash tag:
 * everything Parapet stores for one key hashes to one slot, so each atomic
 * script touches a single node. The prefix may not contain braces, or it would
 * become the hash tag and put every key on one node.
 */
export function redisKey(prefix: string, key: string, algorithm: Algorithm): string {
  return `${prefix}{${keyBody(key)}}:${algorithm}`;
}

/**
 * The key as Redis will store it. Redis gets keys as UTF-8, where every lone
 * surrogate becomes U+FFFD: "a\uD800", "a\uDBFF" and "a\uFFFD" were one
 * counter, so a client could spend another's limit. And ioredis picks a
 * Cluster node from its own encoding of the surrogate, not Redis's: such keys
 * went to the wrong node, cost a MOVED redirect and a slot-map refresh each.
 * A value from a JSON body ("\ud800") or a long value the core cut inside a
 * surrogate pair does that, so such a key is hashed over its UTF-16 code
 * units, which keep every string apart. Well-formed keys keep their layout.
 */
function keyBody(key: string): string {
  if (LONE_SURROGATE.test(key)) return `sha256-utf16:${createHash("sha256").update(key, "utf16le").digest("base64url")}`;
  if (key.length > MAX_KEY_LENGTH) return `sha256:${createHash("sha256").update(key).digest("base64url")}`;
  return key;
}
