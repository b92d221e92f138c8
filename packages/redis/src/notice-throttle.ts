/**
 * Lets a recurring log line through at most once per interval and counts the
 * ones held back, so that a condition that repeats on every request (two
 * programs fighting over a key, a Redis that keeps losing its scripts) is
 * reported once a minute, not once per request.
 */
export class NoticeThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #heldBack = 0;

  constructor(intervalMs: number, now: () => number) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** The number of notices held back since the last one let through, or undefined when this one is held back too. */
  pass(): number | undefined {
    const now = this.#now();
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
