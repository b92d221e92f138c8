import type { Decision, RuleResult } from "@parapet/core";
import { rateLimitHeaders } from "@parapet/core";

/**
 * The rate-limit results behind a stacked decision's headers: its own and those of every Parapet middleware that
 * decided on the request before it. Filled only when middlewares stack, so one middleware costs nothing here.
 */
const stackedResults = new WeakMap<Decision, readonly RuleResult[]>();

/**
 * The RateLimit headers for a response that `earlier` (the decision of a Parapet middleware that already ran on
 * this request, e.g. a global limit) and `decision` (a stricter one on /login) both decided on: those one client
 * holding both sets of rules would send. Each decision's own headers report only its rules, and the last one set
 * won: a response reported "login";r=98 while the global limit had r=0, and the next request was a 429.
 */
export function stackedHeaders(earlier: Decision | null | undefined, decision: Decision): Readonly<Record<string, string>> {
  if (earlier === undefined || earlier === null || earlier === decision) return decision.headers;
  const results = [...(stackedResults.get(earlier) ?? earlier.results), ...decision.results];
  stackedResults.set(decision, results);
  return rateLimitHeaders(results, decision.isDenied());
}
