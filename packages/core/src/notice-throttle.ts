/**
 * Lets a recurring log line through at most once per interval and counts the
 * ones held back, so that a condition that repeats on every request (a dead
 * store, two programs fighting over a Redis key) is reported once per
 * interval with a count, not once per request.
 *
 * The caller passes the time: a decision's time where it has one, so a clock
 * that fails (NaN) lets every line through rather than reading it again.
 */
export class NoticeThrottle {
  readonly #intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #heldBack = 0;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** The number of notices held back since the last one let through, or undefined when this one is held back too. */
  pass(now: number): number | undefined {
    if (now - this.#lastAt < this.#intervalMs) {
      this.#heldBack++;
      return undefined;
    }
    this.#lastAt = now;
    const heldBack = this.#heldBack;
    this.#heldBack = 0;
    return heldBack;
  }
}
