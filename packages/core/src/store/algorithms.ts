/**
 * The three rate-limit steps as pure arithmetic over one store slot. The
 * memory store runs them on typed arrays; the Redis store's Lua scripts follow
 * the same formulas in the same order, so both stores give the same answers.
 * The semantics are written out in each rule's file (src/rules/*.ts).
 *
 * An empty slot holds NaN. Every step writes the time after which the slot is
 * equivalent to an empty one (`expiresAt`), so a store may drop it then.
 */
import type { FixedWindowParams, RateLimitState, SlidingWindowParams, TokenBucketParams } from "../types.js";

export interface Columns {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly expiresAt: Float64Array;
}

/**
 * Refilled tokens are fractions; without a tolerance, 0.1 + 0.2 style rounding
 * could deny a call that has exactly enough tokens.
 */
export const TOKEN_EPSILON = 1e-9;

/** a = window start, b = count in that window. */
export function fixedWindowStep(columns: Columns, slot: number, params: FixedWindowParams, now: number): RateLimitState {
  const { limit, windowMs, cost } = params;
  // A clock that stepped back finds a later window stored: it keeps counting there, as Redis's counter, whose
  // expiry is that window's end, does. Starting the earlier window afresh forgot the requests already counted.
  // Only the next window, though: one further ahead was written by a clock that was wrong, and kept it would
  // hold a client at its limit for as long as that clock was ahead.
  const stored = columns.a[slot] as number;
  const aligned = Math.floor(now / windowMs) * windowMs;
  const start = stored === aligned + windowMs ? stored : aligned;
  if (stored !== start) {
    columns.a[slot] = start;
    columns.b[slot] = 0;
  }
  const count = columns.b[slot] as number;
  const resetMs = start + windowMs - now;
  columns.expiresAt[slot] = start + windowMs;
  if (count + cost <= limit) {
    columns.b[slot] = count + cost;
    return { allowed: true, remaining: limit - count - cost, resetMs, retryAfterMs: 0 };
  }
  return { allowed: false, remaining: Math.max(0, limit - count), resetMs, retryAfterMs: resetMs };
}

/** a = current window start, b = count in the current window, c = count in the previous one. */
export function slidingWindowStep(columns: Columns, slot: number, params: SlidingWindowParams, now: number): RateLimitState {
  const { limit, windowMs, cost } = params;
  let start = Math.floor(now / windowMs) * windowMs;
  const storedStart = columns.a[slot] as number;
  let elapsed = now - start;
  if (storedStart === start + windowMs) {
    // The clock stepped back: stay in the next window, stored, counted in full (the Redis script does the same).
    // A window further ahead came from a clock that was wrong: it is forgotten below, not kept as a lockout.
    start = storedStart;
    elapsed = 0;
  } else if (storedStart !== start) {
    columns.c[slot] = storedStart === start - windowMs ? (columns.b[slot] as number) : 0;
    columns.b[slot] = 0;
    columns.a[slot] = start;
  }
  const current = columns.b[slot] as number;
  const previous = columns.c[slot] as number;
  const estimate = (previous * (windowMs - elapsed)) / windowMs + current;
  const resetMs = windowMs - elapsed;
  columns.expiresAt[slot] = start + 2 * windowMs;
  if (estimate + cost <= limit) {
    columns.b[slot] = current + cost;
    return { allowed: true, remaining: Math.max(0, Math.floor(limit - estimate - cost)), resetMs, retryAfterMs: 0 };
  }
  return {
    allowed: false,
    remaining: Math.max(0, Math.floor(limit - estimate)),
    resetMs,
    retryAfterMs: slidingRetryAfter(limit, cost, windowMs, elapsed, current, previous),
  };
}

/**
 * How long until the estimate, with nothing more counted, leaves room for
 * `cost`: first within this window as the previous window's weight decays,
 * else in the next window as this window's count decays in turn.
 */
function slidingRetryAfter(limit: number, cost: number, windowMs: number, elapsed: number, current: number, previous: number): number {
  const room = limit - cost - current;
  if (room >= 0 && previous > 0) return Math.max(1, Math.ceil(windowMs - elapsed - (room * windowMs) / previous));
  const intoNext = current > 0 ? Math.max(0, Math.ceil(windowMs - ((limit - cost) * windowMs) / current)) : 0;
  return Math.max(1, windowMs - elapsed + intoNext);
}

/** a = tokens after the last call, b = time of the last refill. */
export function tokenBucketStep(columns: Columns, slot: number, params: TokenBucketParams, now: number): RateLimitState {
  const { capacity, refillRate, intervalMs, requested } = params;
  let tokens = columns.a[slot] as number;
  let last = columns.b[slot] as number;
  if (Number.isNaN(tokens)) {
    tokens = capacity;
    last = now;
  } else if (now > last) {
    tokens = Math.min(capacity, tokens + ((now - last) * refillRate) / intervalMs);
    last = now;
  } else {
    // The clock stepped back (an NTP correction, a failover to a node behind). Refilling nothing until it
    // passes `last` again is right for a small step, but a clock once set years ahead would then lock every
    // bucket it touched out for years: wait at most the time an empty bucket takes to fill.
    last = Math.min(last, now + (capacity * intervalMs) / refillRate);
  }
  const allowed = tokens + TOKEN_EPSILON >= requested;
  if (allowed) tokens = Math.max(0, tokens - requested);
  columns.a[slot] = tokens;
  columns.b[slot] = last;
  // Refilling starts at `last`, later than now only after the clock stepped back.
  const ahead = Math.max(0, last - now);
  const resetMs = Math.max(0, Math.ceil(ahead + ((capacity - tokens) * intervalMs) / refillRate));
  columns.expiresAt[slot] = now + resetMs;
  const retryAfterMs = allowed ? 0 : Math.max(1, Math.ceil(ahead + ((requested - tokens) * intervalMs) / refillRate));
  return { allowed, remaining: Math.floor(tokens + TOKEN_EPSILON), resetMs, retryAfterMs };
}
