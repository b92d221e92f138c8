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
 *   (a clock that steps back refills nothing). If now <= last:
 *   last = min(last, now + capacity * intervalMs / refillRate), so a clock
 *   that was far ahead and is set right again delays the refill by at most
 *   the time an empty bucket takes to fill, not by how far it was ahead.
 * - A call is allowed iff tokens + 1e-9 >= requested (the tolerance absorbs
 *   floating-point rounding of fractional refills); only then are the tokens
 *   taken: tokens = max(0, tokens - requested). A denied call takes nothing.
 * - remaining = floor(tokens + 1e-9) after this call.
 * - With ahead = max(0, last - now) (0 unless the clock stepped back):
 *   resetMs = max(0, ceil(ahead + (capacity - tokens) * intervalMs / refillRate)):
 *   when the bucket is full again.
 * - retryAfterMs (denial only) = max(1, ceil(ahead + (requested - tokens) * intervalMs / refillRate)).
 * - The state may be dropped at now + resetMs (a full bucket equals none).
 * - requested > capacity could never pass, and a `requested` that is not a
 *   whole number of at least 1 is a bug in the caller: the rule denies both
 *   without touching the store (remaining 0, no Retry-After: waiting cannot
 *   help). Not an error: an error fails open by default, and `requested` is
 *   often taken from the request (a batch size), so a client could otherwise
 *   turn the limit off by asking for too much or for "abc".
 */
import type { Duration } from "../duration.js";
import type { RateLimitReason, RateLimitState, Rule, RuleContext, RuleEvaluation, TokenBucketParams } from "../types.js";
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
  // As for windows (window-rule.ts): a name shares its bucket only with token buckets of that name.
  const keyId = name ? `${RATE_LIMIT}:${name}:token` : `${RATE_LIMIT}:token:${refillRate}:${intervalMs}:${capacity}`;
  // The reason's window is the time an empty bucket takes to fill, so that limit / window is the sustained rate
  // and limit the burst; the refill interval alone overstated the rate (capacity 5, 1 per second read as 5 per
  // second). RateLimit-Policy states the same rate in whole seconds (see advertisedQuota).
  const fillMs = (capacity * intervalMs) / refillRate;
  const advertised = advertisedQuota(refillRate, intervalMs, capacity);
  const single: TokenBucketParams = { capacity, refillRate, intervalMs, requested: 1 };
  return build(policy);

  /** The rule reporting `policy` (parapet() renames an unnamed one whose generated name is taken). */
  function build(policy: string): Rule {
    const description = describeRateLimit({
      algorithm: "tokenBucket",
      limit: capacity,
      windowMs: fillMs,
      policy,
      unit: `${capacity === 1 ? "token" : "tokens"} (refilled ${refillRate} per ${secondsText(intervalMs)})`,
      advertised,
    });

    /** Why `requested` can never be taken, or undefined when it can. */
    function refusalOf(requested: unknown): string | undefined {
      if (typeof requested !== "number" || !Number.isSafeInteger(requested) || requested < 1) {
        return `tokenBucket: protect(req, { requested }) must be a whole number from 1 to ${capacity}; got ${JSON.stringify(requested) ?? String(requested)}, so the call is denied`;
      }
      if (requested > capacity) return `Requested ${requested} tokens, but the bucket holds at most ${capacity}: this call can never pass.`;
      return undefined;
    }

    function refused(context: RuleContext, message: string): RuleEvaluation {
      const key = context.key(keyId, characteristics);
      const reason: RateLimitReason = {
        type: RATE_LIMIT,
        message,
        algorithm: "tokenBucket",
        limit: capacity,
        remaining: 0,
        resetSeconds: fillMs / 1000,
        windowSeconds: fillMs / 1000,
        policy,
        advertised,
      };
      return { conclusion: "DENY", reason, key };
    }

    function evaluateTokenBucket(context: RuleContext): RuleEvaluation | Promise<RuleEvaluation> {
      const requested = context.request.extra.requested;
      let params = single;
      if (requested !== undefined) {
        const refusal = refusalOf(requested);
        if (refusal !== undefined) return refused(context, refusal);
        params = { capacity, refillRate, intervalMs, requested: requested as number };
      }
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

    const rule: Rule = { type: RATE_LIMIT, name: policy, mode, cost: RATE_LIMIT_COST, stateId: keyId, evaluate: evaluateTokenBucket };
    return registerRateLimit(rule, { named: name !== undefined, characteristics, renamed: build });
  }
}
