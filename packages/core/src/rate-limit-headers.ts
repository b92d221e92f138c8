import type { RateLimitReason, RuleResult } from "./types.js";

/**
 * Response headers from draft-ietf-httpapi-ratelimit-headers (structured
 * fields, RFC 8941):
 *   RateLimit-Policy: "api";q=10;w=60
 *   RateLimit: "api";r=3;t=42
 * plus Retry-After (RFC 9110 §10.2.3) in seconds when a request is denied.
 * Every rate-limit rule that ran contributes its policy; `RateLimit` reports
 * the one closest to its limit, which is the one a client must respect.
 */
export function rateLimitHeaders(results: readonly RuleResult[], denied: boolean): Record<string, string> {
  const reasons: RateLimitReason[] = [];
  for (const result of results) {
    if (result.reason.type === "RATE_LIMIT") reasons.push(result.reason as RateLimitReason);
  }
  if (reasons.length === 0) return {};
  const headers: Record<string, string> = {
    "RateLimit-Policy": reasons.map((r) => `${sfString(r.policy)};q=${r.limit};w=${Math.ceil(r.windowSeconds)}`).join(", "),
  };
  let tightest = reasons[0] as RateLimitReason;
  for (const r of reasons) if (r.remaining < tightest.remaining) tightest = r;
  headers.RateLimit = `${sfString(tightest.policy)};r=${Math.max(0, tightest.remaining)};t=${Math.ceil(tightest.resetSeconds)}`;
  if (denied) {
    let retry = 0;
    for (const r of reasons) if (r.retryAfterSeconds !== undefined) retry = Math.max(retry, r.retryAfterSeconds);
    if (retry > 0) headers["Retry-After"] = String(Math.ceil(retry));
  }
  return headers;
}

/** Printable ASCII without '"' or '\\': the common case, needing no escapes. */
const PLAIN_SF_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** An RFC 8941 sf-string: quotes and backslashes escaped, non-printable ASCII dropped. */
function sfString(value: string): string {
  if (PLAIN_SF_STRING.test(value)) return `"${value}"`;
  return `"${value.replace(/[^\x20-\x7e]/g, "").replace(/["\\]/g, "\\$&")}"`;
}
