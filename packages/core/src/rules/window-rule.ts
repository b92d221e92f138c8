/**
 * fixedWindow and slidingWindow take the same options and differ only in the
 * store step they call; this is the one rule factory behind both. Each
 * algorithm's exact semantics stay documented in its own file.
 */
import type { Duration } from "../duration.js";
import type { FixedWindowParams, RateLimitState, Rule, RuleContext, RuleEvaluation } from "../types.js";
import {
  advertisedQuota,
  commonSettings,
  describeRateLimit,
  positiveInteger,
  RATE_LIMIT,
  RATE_LIMIT_COST,
  type RateLimitCommonOptions,
  registerRateLimit,
  secondsText,
  settleStoreStep,
  storeFailure,
  windowMsOf,
} from "./rate-limit.js";

export interface WindowOptions extends RateLimitCommonOptions {
  readonly max: number;
  /** The window: "60s", "1m", "1h", or milliseconds. */
  readonly window: Duration;
}

export type WindowAlgorithm = "fixedWindow" | "slidingWindow";

const KIND: Readonly<Record<WindowAlgorithm, string>> = { fixedWindow: "fixed", slidingWindow: "sliding" };

export function windowRule(algorithm: WindowAlgorithm, options: WindowOptions): Rule {
  const { mode, name, characteristics } = commonSettings(algorithm, options);
  const limit = positiveInteger(algorithm, "max", options.max, "max: 100");
  const windowMs = windowMsOf(algorithm, "window", options.window);
  const kind = KIND[algorithm];
  const policy = name ?? `${kind}-${secondsText(windowMs)}`;
  // Unnamed rules key by their parameters, so two different limits never share a counter (and two routes given
  // the same unnamed limit share one, as a rule's fingerprint would: a rule made per request still counts). A
  // name shares its counter across clients and routes, but only with rules of the same algorithm and window: counts of another
  // window mean something else (a deploy that changes the window starts afresh instead of inheriting a count
  // and a reset time from the old one, and two algorithms under one name no longer reset each other's state).
  const keyId = name ? `${RATE_LIMIT}:${name}:${kind}:${windowMs}` : `${RATE_LIMIT}:${kind}:${windowMs}:${limit}`;
  // Both window steps take the same parameters (SlidingWindowParams has FixedWindowParams' shape).
  const params: FixedWindowParams = { limit, windowMs, cost: 1 };
  const advertised = advertisedQuota(limit, windowMs, limit);
  return build(policy);

  /** The rule reporting `policy` (parapet() renames an unnamed one whose generated name is taken). */
  function build(policy: string): Rule {
    const description = describeRateLimit({
      algorithm,
      limit,
      windowMs,
      policy,
      unit: `${limit === 1 ? "request" : "requests"} per ${secondsText(windowMs)}`,
      advertised,
    });
    const fixed = algorithm === "fixedWindow";

    function evaluateWindow(context: RuleContext): RuleEvaluation | Promise<RuleEvaluation> {
      const key = context.key(keyId, characteristics);
      // The store call is inline (no closure per request). A store may throw
      // synchronously or reject; both are reported as a store failure.
      let state: RateLimitState | Promise<RateLimitState>;
      try {
        const now = context.now;
        state = fixed ? context.store.fixedWindow(key, params, now) : context.store.slidingWindow(key, params, now);
      } catch (error) {
        throw storeFailure(error);
      }
      return settleStoreStep(description, key, state);
    }

    const rule: Rule = { type: RATE_LIMIT, name: policy, mode, cost: RATE_LIMIT_COST, stateId: keyId, evaluate: evaluateWindow };
    return registerRateLimit(rule, { named: name !== undefined, characteristics, renamed: build });
  }
}
