import type { RateLimitReason, RuleResult } from "./types.js";

/**
 * Response headers from draft-ietf-httpapi-ratelimit-headers (structured
 * fields, RFC 8941):
 *   RateLimit-Policy: "api";q=10;w=60
 *   RateLimit: "api";r=3;t=42
 * plus Retry-After (RFC 9110 §10.2.3) in seconds when a rate limit denied.
 * Every LIVE rate-limit rule that ran contributes its policy; `RateLimit`
 * reports the one closest to its limit, which is the one a client must
 * respect. DRY_RUN rules are left out: they are being watched, not enforced,
 * and a client that honours the headers would otherwise back off from a limit
 * that denies nothing.
 *
 * Retry-After is the denying rule's wait, or longer when a rule that ran
 * before it has just been used up (an hourly quota spent by the request a
 * minute limit then denied): retrying when the minute limit frees up would be
 * denied by the hourly one. For a window that is its reset; a token bucket's
 * next token is not known here, so it does not lengthen the wait.
 */
export function rateLimitHeaders(results: readonly RuleResult[], denied: boolean): Record<string, string> {
  let tightest: RateLimitReason | undefined;
  let policies = "";
  let retry = 0;
  let exhaustedUntil = 0;
  for (const result of results) {
    if (result.reason.type !== "RATE_LIMIT" || result.mode !== "LIVE") continue;
    const r = result.reason as RateLimitReason;
    const policy = policyText(r);
    policies = tightest === undefined ? policy : `${policies}, ${policy}`;
    if (tightest === undefined || r.remaining < tightest.remaining) tightest = r;
    if (r.retryAfterSeconds !== undefined && r.retryAfterSeconds > retry) retry = r.retryAfterSeconds;
    else if (r.remaining <= 0 && r.algorithm !== "tokenBucket" && r.resetSeconds > exhaustedUntil) exhaustedUntil = r.resetSeconds;
  }
  if (tightest === undefined) return {};
  const headers: Record<string, string> = {
    "RateLimit-Policy": policies,
    RateLimit: `${quotedPolicy(tightest.policy)};r=${Math.max(0, tightest.remaining)};t=${Math.ceil(tightest.resetSeconds)}`,
  };
  if (denied && retry > 0) headers["Retry-After"] = String(Math.ceil(Math.max(retry, exhaustedUntil)));
  return headers;
}

/**
 * `"api";q=10;w=60` is the same on every request a rule answers, so the last
 * one built is kept: with one rate-limit rule (the common case) the header
 * is never rebuilt. `q` and `w` are the rule's advertised quota (whole
 * seconds, see advertisedQuota) or, for a reason made elsewhere, its limit
 * and window rounded up.
 */
let lastPolicy: { readonly name: string; readonly quota: number; readonly window: number; readonly text: string } | undefined;

function policyText(r: RateLimitReason): string {
  const advertised = r.advertised;
  const quota = advertised === undefined ? r.limit : advertised.quota;
  const window = advertised === undefined ? Math.ceil(r.windowSeconds) : advertised.windowSeconds;
  const last = lastPolicy;
  if (last !== undefined && last.name === r.policy && last.quota === quota && last.window === window) return last.text;
  const text = `${quotedPolicy(r.policy)};q=${quota};w=${window}`;
  lastPolicy = { name: r.policy, quota, window, text };
  return text;
}

let lastQuoted: { readonly name: string; readonly text: string } | undefined;

/** The policy name as an sf-string, for both headers; the last one is kept, as above. */
function quotedPolicy(name: string): string {
  if (lastQuoted !== undefined && lastQuoted.name === name) return lastQuoted.text;
  const text = sfString(name);
  lastQuoted = { name, text };
  return text;
}

/** Printable ASCII without '"' or '\\': the common case, needing no escapes. */
const PLAIN_SF_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** An RFC 8941 sf-string: quotes and backslashes escaped, non-printable ASCII dropped. */
function sfString(value: string): string {
  if (PLAIN_SF_STRING.test(value)) return `"${value}"`;
  return `"${value.replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "\\$&")}"`;
}
