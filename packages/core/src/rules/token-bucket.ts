/**
 * tokenBucket: a bucket of `capacity` tokens per key, refilled continuously
 * at `refillRate` tokens per `interval`; each call takes `requested` tokens
 * (from `protect(req, { requested: 5 })`, default 1). Allows bursts up to
 * the capacity and a steady rate after.
 *
 * Semantics (every Store implements exactly this, atomically, per key):
 * - A key seen for the first time (or whose state expired) starts full:
 *   tokens = capacity, last = now.
 * - Otherwise, if now > last: tokens = min(capacity,
 *   tokens + (now - last) * refillRate / intervalMs) and last = now
 *   (a clock that steps back refills nothing).
 * - A call is allowed iff tokens + 1e-9 >= requested (the tolerance absorbs
 *   floating-point rounding of fractional refills); only then are the tokens
 *   taken: tokens = max(0, tokens - requested). A denied call takes nothing.
 * - remaining = floor(tokens + 1e-9) after this call.
 * - resetMs = max(0, ceil((capacity - tokens) * intervalMs / refillRate)):
 *   when the bucket is full again.
 * - retryAfterMs (denial only) = max(1, ceil((requested - tokens) * intervalMs / refillRate)).
 * - The state may be dropped at last + resetMs (a full bucket equals none).
 * - requested > capacity could never pass: the rule reports it as an error.
 */
import type { Duration } from "../duration.js";
import { ErrorCodes, ParapetError } from "../errors.js";
import type { RateLimitState, Rule, RuleContext, RuleEvaluation, TokenBucketParams } from "../types.js";
import {
  commonSettings,
  describeRateLimit,
  positiveInteger,
  RATE_LIMIT,
  RATE_LIMIT_COST,
  type RateLimitCommonOptions,
  secondsText,
  settleStoreStep,
  storeFailure,
  windowMsOf,
} from "./rate-limit.js";

export interface TokenBucketOptions extends RateLimitCommonOptions {
  /** Tokens added every `interval`. */
  readonly refillRate: number;
  /** The refill interval: "1s", "1m", or milliseconds. */
  readonly interval: Duration;
  /** The most tokens the bucket holds: the largest burst. */
  readonly capacity: number;
}

export function tokenBucket(options: TokenBucketOptions): Rule {
  const where = "tokenBucket";
  const { mode, name, characteristics } = commonSettings(where, options);
  const refillRate = positiveInteger(where, "refillRate", options.refillRate, "refillRate: 5");
  const capacity = positiveInteger(where, "capacity", options.capacity, "capacity: 20");
  const intervalMs = windowMsOf(where, "interval", options.interval);
  const policy = name ?? `token-${refillRate}-per-${secondsText(intervalMs)}`;
  const keyId = name ? `${RATE_LIMIT}:${name}` : `${RATE_LIMIT}:token:${refillRate}:${intervalMs}:${capacity}`;
  const description = describeRateLimit({
    algorithm: "tokenBucket",
    limit: capacity,
    windowMs: intervalMs,
    policy,
    unit: `tokens (refilled ${refillRate} per ${secondsText(intervalMs)})`,
  });
  const single: TokenBucketParams = { capacity, refillRate, intervalMs, requested: 1 };

  /** Request-time input: a bad value is reported as this rule's error, not thrown out of protect(). */
  function paramsFor(requested: unknown): TokenBucketParams {
    if (requested === undefined) return single;
    if (typeof requested !== "number" || !Number.isSafeInteger(requested) || requested < 1 || requested > capacity) {
      throw new ParapetError(
        ErrorCodes.INVALID_OPTION,
        `tokenBucket: protect(req, { requested }) must be an integer from 1 to the capacity (${capacity}); got ${JSON.stringify(requested) ?? String(requested)}`,
      );
    }
    return { capacity, refillRate, intervalMs, requested };
  }

  function evaluateTokenBucket(context: RuleContext): RuleEvaluation | Promise<RuleEvaluation> {
    const params = paramsFor(context.request.extra.requested);
    const key = context.key(keyId, characteristics);
    // A store may throw synchronously or reject; both are reported as a store failure.
    let state: RateLimitState | Promise<RateLimitState>;
    try {
      state = context.store.tokenBucket(key, params, context.now);
    } catch (error) {
      throw storeFailure(error);
    }
    return settleStoreStep(description, key, state);
  }

  return { type: RATE_LIMIT, name: policy, mode, cost: RATE_LIMIT_COST, evaluate: evaluateTokenBucket };
}
