import { hash32 } from "./sketch/hash.js";
import { detached } from "./worker/packed-strings.js";

/** Longest text a detector keeps as it is. */
const MAX_KEY = 128;
/** What a longer one keeps of its start, before the hash that keeps distinct texts apart. */
const KEPT_PREFIX = 100;

/**
 * Text a detector keeps (a user name, a path it counts as distinct) in at
 * most ~120 characters. Such text is a client's choice and the detectors
 * remember a lot of it (50,000 keys, up to 256 distinct values each): kept
 * whole, 100 KB user names or 1 KB paths would hold gigabytes. A longer text
 * keeps its first 100 characters, for people to read, and a 64-bit hash of the
 * whole, so two long texts stay two.
 */
export function boundedKey(text: string): string {
  if (text.length <= MAX_KEY) return text;
  // Detached: a slice is a view that would keep the whole text alive, which is what this function is here to prevent.
  return detached(`${text.slice(0, KEPT_PREFIX)}…#${hex(hash32(text))}${hex(hash32(text, 0x9747b28c))}`);
}

/**
 * The user of an auth event, as the detectors key and quote it: what a login
 * form was sent, bounded by boundedKey. A finite number counts as its text;
 * anything else (an object, an empty string) as no user.
 */
export function authUserKey(user: unknown): string | undefined {
  if (typeof user === "number") return Number.isFinite(user) ? String(user) : undefined;
  if (typeof user !== "string" || user === "") return undefined;
  return boundedKey(user);
}

/**
 * The account a login name stands for, as the per-user buckets key it: NFKC-normalized, trimmed and lowercased.
 * Login forms and user stores commonly ignore case and surrounding blanks (e-mail addresses above all), and many
 * fold compatibility forms (fullwidth "ａｌｉｃｅ"); keyed by the exact text, an attacker spreading guesses at one
 * account over "Alice@…", "ALICE@…", " alice@…" started a fresh bucket with each spelling and was never seen
 * (30 guesses a minute from 30 IPs: no finding; the same name spelled one way fires failuresPerUser and ipsPerUser).
 */
export function accountOf(user: string): string {
  return user.normalize("NFKC").trim().toLowerCase();
}

/**
 * The account of an auth event's user (accountOf), bounded like authUserKey; undefined when there is no user or
 * nothing but blanks. Normalized before it is bounded: a bounded key's "…" would become "..." under NFKC, and the
 * hash of a long name would differ between its spellings.
 */
export function authAccountKey(user: unknown): string | undefined {
  const text = typeof user === "number" ? (Number.isFinite(user) ? String(user) : "") : typeof user === "string" ? user : "";
  const account = accountOf(text);
  return account === "" ? undefined : boundedKey(account);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, "0");
}
