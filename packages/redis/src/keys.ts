import { createHash } from "node:crypto";

/** Keys longer than this are replaced by their hash, so attacker-chosen values cannot grow Redis memory. */
const MAX_KEY_LENGTH = 512;

export type Algorithm = "fw" | "sw" | "tb";

/**
 * `<prefix>{<key>}:<algorithm>`. The braces are a Redis Cluster hash tag:
 * everything Parapet stores for one key hashes to one slot, so each atomic
 * script touches a single node. The prefix may not contain braces, or it would
 * become the hash tag and put every key on one node.
 */
export function redisKey(prefix: string, key: string, algorithm: Algorithm): string {
  const body = key.length > MAX_KEY_LENGTH ? `sha256:${createHash("sha256").update(key).digest("base64url")}` : key;
  return `${prefix}{${body}}:${algorithm}`;
}
