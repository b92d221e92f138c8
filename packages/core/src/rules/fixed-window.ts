/**
 * fixedWindow: at most `max` requests per key in each window of `window`.
 *
 * Semantics (every Store implements exactly this, atomically, per key):
 * - Windows are aligned to the epoch: start = floor(now / windowMs) * windowMs,
 *   so every process and the Redis store agree on the boundary. The count
 *   resets to 0 exactly at start + windowMs.
 * - A call of cost c (1 here) is allowed iff count + c <= limit; only then is
 *   the count increased. A denied call does NOT count, so a client hammering
 *   a closed window does not extend its own lockout.
 * - remaining = limit - count after this call (on a denial: limit - count).
 * - resetMs = start + windowMs - now: when the count returns to 0.
 * - retryAfterMs = resetMs on a denial, 0 when allowed.
 * - The state may be dropped at start + windowMs (it is then equivalent to none).
 *
 * Bound: up to 2 * max requests can pass within any `window`-long span that
 * straddles a boundary; use slidingWindow when that burst matters.
 */
import type { Duration } from "../duration.js";
import type { FixedWindowParams, RateLimitState, Rule, RuleContext, RuleEvaluation } from "../types.js";
import {
  commonSettings,
  positiveInteger,
  RATE_LIMIT,
  RATE_LIMIT_COST,
  type RateLimitCommonOptions,
  type RateLimitDescription,
  rateLimitEvaluation,
  secondsText,
  storeFailure,
  windowMsOf,
} from "./rate-limit.js";

export interface FixedWindowOptions extends RateLimitCommonOptions {
  /** Requests allowed per window. */
  readonly max: number;
  /** The window: "60s", "1m", "1h", or milliseconds. */
  readonly window: Duration;
}

export function fixedWindow(options: FixedWindowOptions): Rule {
  const where = "fixedWindow";
  const { mode, name, characteristics } = commonSettings(where, options);
  const limit = positiveInteger(where, "max", options.max, "max: 100");
  const windowMs = windowMsOf(where, "window", options.window);
  const policy = name ?? `fixed-${secondsText(windowMs)}`;
  // Unnamed rules key by their parameters, so two different limits never share a counter.
  const keyId = name ? `${RATE_LIMIT}:${name}` : `${RATE_LIMIT}:fixed:${windowMs}:${limit}`;
  const params: FixedWindowParams = { limit, windowMs, cost: 1 };
  const description: RateLimitDescription = {
    algorithm: "fixedWindow",
    limit,
    windowMs,
    policy,
    unit: `requests per ${secondsText(windowMs)}`,
  };

  async function evaluateFixedWindow(context: RuleContext): Promise<RuleEvaluation> {
    const key = context.key(keyId, characteristics);
    // Inline rather than through storeStep: no closure per request. A store
    // may throw synchronously or reject; both land in the catch.
    let state: RateLimitState;
    try {
      state = await context.store.fixedWindow(key, params, context.clock.now());
    } catch (error) {
      throw storeFailure(error);
    }
    return rateLimitEvaluation(description, state, key);
  }

  return { type: RATE_LIMIT, name: policy, mode, cost: RATE_LIMIT_COST, evaluate: evaluateFixedWindow };
}
