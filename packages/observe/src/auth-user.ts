import { hash32 } from "./sketch/hash.js";

/** Longest user name the auth detector keeps as it is. */
const MAX_AUTH_USER = 128;
/** What a longer one keeps of its start, before the hash that keeps distinct names apart. */
const KEPT_PREFIX = 100;

/**
 * The user of an auth event, as the detectors key and quote it. It is what a
 * login form was sent, so an attacker's choice: unbounded, 50,000 remembered
 * users (and 256 per IP) of 100 KB each would hold gigabytes, and every alert
 * would quote one whole. A longer name keeps its first 100 characters and a
 * 64-bit hash of the whole, so two long names stay two users. A finite number
 * counts as its text; anything else (an object, an empty string) as no user.
 */
export function authUserKey(user: unknown): string | undefined {
  if (typeof user === "number") return Number.isFinite(user) ? String(user) : undefined;
  if (typeof user !== "string" || user === "") return undefined;
  if (user.length <= MAX_AUTH_USER) return user;
  const hash = hex(hash32(user)) + hex(hash32(user, 0x9747b28c));
  return `${user.slice(0, KEPT_PREFIX)}…#${hash}`;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, "0");
}
