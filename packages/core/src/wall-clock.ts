/**
 * The wall-clock time protect() stamps a decision with, read off the
 * monotonic clock it reads anyway for the decision's duration: one clock read
 * per request instead of two (each is ~35–40 ns, a tenth of a decision).
 *
 * It is anchored to `Date.now()` at least once a second, so it follows the
 * system clock when that is stepped or slewed, and it is never ahead of
 * `Date.now()` and at most 1 ms behind it (the anchor is whole milliseconds).
 * Only for the system clock: an injected clock is read as it is.
 */
export class AnchoredWallClock {
  #wall = 0;
  #anchoredAt = Number.NEGATIVE_INFINITY;

  /** Whole epoch milliseconds at the monotonic reading `precise` (performance.now()), which must be the current time. */
  at(precise: number): number {
    const elapsed = precise - this.#anchoredAt;
    if (elapsed >= 0 && elapsed < ANCHOR_EVERY_MS) return Math.floor(this.#wall + elapsed);
    this.#wall = Date.now();
    this.#anchoredAt = precise;
    return this.#wall;
  }
}

const ANCHOR_EVERY_MS = 1000;
