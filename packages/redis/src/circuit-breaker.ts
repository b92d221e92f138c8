/**
 * A circuit breaker around the Redis round trip. After `failureThreshold`
 * consecutive failures it opens: calls fail at once instead of each waiting
 * out the timeout, so a dead Redis costs the app nothing per request. After
 * `cooldownMs` one probe is let through (half-open); its success closes the
 * circuit, its failure opens it for another cooldown.
 */
export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Told about every change of state and the state it left, e.g. to log an outage once rather than per request. */
  readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

export class CircuitBreaker {
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  readonly #options: CircuitBreakerOptions;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** True when a call may go to Redis now. In half-open, only the one probe may. */
  tryPass(): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "half-open") return false;
    if (this.#options.now() - this.#openedAt < this.#options.cooldownMs) return false;
    this.#transition("half-open");
    return true;
  }

  recordSuccess(): void {
    this.#failures = 0;
    if (this.#state !== "closed") this.#transition("closed");
  }

  recordFailure(): void {
    this.#failures += 1;
    if (this.#state === "half-open" || (this.#state === "closed" && this.#failures >= this.#options.failureThreshold)) {
      this.#openedAt = this.#options.now();
      this.#transition("open");
    }
  }

  #transition(state: CircuitState): void {
    const previous = this.#state;
    this.#state = state;
    this.#options.onStateChange?.(state, previous);
  }
}
