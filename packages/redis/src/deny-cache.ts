import type { RateLimitState } from "@parapet/core";

interface Denial {
  readonly until: number;
  readonly resetAt: number;
  readonly remaining: number;
  readonly cost: number;
}

/**
 * Remembers "denied until" answers locally, so a client already over its
 * limit (typically one hammering the API) costs no Redis round trip until its
 * retry time. Sound because counts only grow until the window moves on:
 * another server's traffic can make a denial last longer, never shorter.
 * A cached denial is reused only for a request at least as costly as the one
 * denied, since a cheaper one might still fit.
 *
 * Times are local monotonic milliseconds measured from when the answer
 * arrived, so app-server clock skew does not matter; the cached denial ends
 * at most one round trip later than Redis would end it.
 *
 * Bounded: at `maxEntries`, the oldest entry is dropped (Map keeps insertion order).
 */
export class DenyCache {
  readonly #entries = new Map<string, Denial>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, cost: number): RateLimitState | undefined {
    const denial = this.#entries.get(key);
    if (denial === undefined) return undefined;
    const now = this.#now();
    if (now >= denial.until) {
      this.#entries.delete(key);
      return undefined;
    }
    if (cost < denial.cost) return undefined;
    return {
      allowed: false,
      remaining: denial.remaining,
      resetMs: Math.max(0, Math.ceil(denial.resetAt - now)),
      retryAfterMs: Math.ceil(denial.until - now),
    };
  }

  remember(key: string, cost: number, state: RateLimitState): void {
    if (state.allowed || state.retryAfterMs <= 0 || this.#maxEntries === 0) return;
    const now = this.#now();
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, {
      until: now + state.retryAfterMs,
      resetAt: now + state.resetMs,
      remaining: state.remaining,
      cost,
    });
  }
}
