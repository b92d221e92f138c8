import type { RuleResult } from "@parapet/core";
import { cachedFingerprint } from "./record.js";
import type { BoundedMap } from "./sketch/bounded-map.js";

/**
 * A rule's key (`RATE_LIMIT:api|apiKey=sk_live_…`) carries the values it
 * counts by, and some of those are credentials: an API key, a bearer token, a
 * session cookie. The log keeps the key, so an investigator can tell buckets
 * apart, but with each secret value replaced by its fingerprint (the same
 * `k_…` the api_key column holds), never the value itself.
 *
 * A characteristic is secret when it is the API key, a credential header, or
 * its name says so (key, token, secret, auth, session, password, cookie):
 * a custom `protect(req, { sessionToken })` is caught by its name.
 */
const SECRET_PAIR =
  /\|(apiKey|header:(?:authorization|proxy-authorization|cookie|x-api-key)|[^=|]*(?:key|token|secret|auth|session|passw|cookie)[^=|]*)=([^|]*)/gi;
/** Cheap screen first: most keys (ip only) have none of these letters after a `|`. */
const MAYBE_SECRET = /\|[^=|]*(?:key|token|secret|auth|session|passw|cookie)/i;

/** Whether `text` may hold a secret pair; false means redactKey returns it unchanged. */
export function mayHoldSecret(text: string): boolean {
  return MAYBE_SECRET.test(text);
}

export function redactKey(key: string, fingerprints: BoundedMap<string, string>): string {
  if (!MAYBE_SECRET.test(key)) return key;
  return key.replace(SECRET_PAIR, (_pair, name: string, value: string) =>
    value === "" ? `|${name}=` : `|${name}=${cachedFingerprint(value, fingerprints)}`,
  );
}

/** The results with every key redacted; the same array when none needed it. */
export function redactResultKeys(results: readonly RuleResult[], fingerprints: BoundedMap<string, string>): readonly RuleResult[] {
  let redacted: RuleResult[] | undefined;
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    if (result.key === undefined) continue;
    const key = redactKey(result.key, fingerprints);
    if (key === result.key) continue;
    redacted ??= [...results];
    redacted[i] = { ...result, key };
  }
  return redacted ?? results;
}
