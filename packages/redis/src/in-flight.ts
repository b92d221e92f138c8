/**
 * Counts the calls sent to Redis and not yet settled, so close() can let them
 * finish before it quits the connection. A counter, not a set of promises:
 * the hot path pays two integer updates.
 */
export class InFlight {
  #count = 0;
  #onIdle: (() => void) | undefined;

  get count(): number {
    return this.#count;
  }

  start(): void {
    this.#count++;
  }

  end(): void {
    this.#count--;
    if (this.#count === 0) this.#onIdle?.();
  }

  /** Resolves once no call is in flight, or after `maxWaitMs`. One waiter at a time (close() runs once). */
  idle(maxWaitMs: number): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.#onIdle = done;
    });
  }
}
