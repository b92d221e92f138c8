/**
 * Small rules for adapter tests only. They exercise the adapters (headers,
 * statuses, bodies) without depending on a store implementation.
 */
import type { Mode, RateLimitReason, Rule, RuleContext, RuleEvaluation } from "@parapet/core";

export const DENY_HEADER = "x-test-deny";

/** Denies when the request carries `x-test-deny: 1`. */
export function headerDenyRule(mode: Mode = "LIVE", message = "Denied by the test header."): Rule {
  return {
    type: "TEST_DENY",
    mode,
    cost: 1,
    evaluate({ request }: RuleContext): RuleEvaluation {
      if (request.headers[DENY_HEADER] !== "1") return { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "no test header" } };
      return { conclusion: "DENY", reason: { type: "TEST_DENY", message } };
    },
  };
}

/** A fixed window of `max` requests per 60 s per client key, counted in a Map owned by the rule. */
export function countingRule(max: number, mode: Mode = "LIVE"): Rule {
  const counts = new Map<string, number>();
  return {
    type: "RATE_LIMIT",
    name: "test",
    mode,
    cost: 5,
    evaluate(context: RuleContext): RuleEvaluation {
      const key = context.key("RATE_LIMIT:test");
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      const allowed = count <= max;
      const reason: RateLimitReason = {
        type: "RATE_LIMIT",
        algorithm: "fixedWindow",
        message: allowed ? "Within the rate limit." : `Rate limit of ${max} requests per 60 s exceeded.`,
        limit: max,
        remaining: Math.max(0, max - count),
        resetSeconds: 60,
        windowSeconds: 60,
        policy: "test",
        ...(allowed ? {} : { retryAfterSeconds: 60 }),
      };
      return { conclusion: allowed ? "ALLOW" : "DENY", reason, key };
    },
  };
}

export const FORBIDDEN_WORD = "forbidden-word";

/** Reads the body through the core and denies when it contains FORBIDDEN_WORD: proves protect saw the body. */
export function bodyRule(): Rule {
  return {
    type: "TEST_BODY",
    mode: "LIVE",
    cost: 10,
    async evaluate({ request }: RuleContext): Promise<RuleEvaluation> {
      const body = await request.body();
      const text = body ? new TextDecoder().decode(body.bytes) + (body.parsed === undefined ? "" : JSON.stringify(body.parsed)) : "";
      if (text.includes(FORBIDDEN_WORD)) return { conclusion: "DENY", reason: { type: "TEST_BODY", message: "The body is not allowed." } };
      return { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "body fine" } };
    },
  };
}

/** Denies when the query string carries FORBIDDEN_WORD, as a rule inspecting query parameters would. */
export function queryDenyRule(): Rule {
  return {
    type: "TEST_QUERY",
    mode: "LIVE",
    cost: 1,
    evaluate({ request }: RuleContext): RuleEvaluation {
      if (!request.query.includes(FORBIDDEN_WORD)) return { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "query fine" } };
      return { conclusion: "DENY", reason: { type: "TEST_QUERY", message: "The query is not allowed." } };
    },
  };
}

/** Always throws, like a rule whose store is down. The message imitates a leak a client must not see. */
export function failingRule(): Rule {
  return {
    type: "TEST_FAIL",
    mode: "LIVE",
    cost: 1,
    evaluate(): RuleEvaluation {
      throw new Error("connect ECONNREFUSED 10.0.0.7:6379");
    },
  };
}
