/** One call waiting for Redis; `fail` is called once if its deadline passes first. */
export interface PendingCall {
  readonly deadline: number;
  /** False once the call has settled, either way: its timeout must then do nothing. */
  waiting: boolean;
  readonly fail: () => void;
}

/**
 * Per-call timeouts without a timer per call. A setTimeout/clearTimeout pair
 * per decision is measurable on the hot path (a timer object, a list insert and
 * removal, and garbage), and this store gives every call the same timeout, so
 * deadlines arrive in the order calls start: a FIFO queue with one timer,
 * armed for the oldest deadline still waiting, is enough. Settled calls are
 * skipped lazily when the timer fires, so settling costs one field write.
 *
 * A call fails no earlier than its deadline and at most one timer tick after
 * it. The timer is not unref'd, like a per-call setTimeout: a call to a client
 * without a socket (a fake, a broken client) must still time out rather than
 * let the process exit with a decision pending.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #calls: PendingCall[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, now: () => number) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** Calls still held (waiting, or settled but not yet dropped): bounded by the calls in flight. */
  get size(): number {
    return this.#calls.length - this.#head;
  }

  /** Starts the clock for one call; mark the returned call `waiting = false` when it settles. */
  add(fail: () => void): PendingCall {
    const call: PendingCall = { deadline: this.#now() + this.#timeoutMs, waiting: true, fail };
    // Replies mostly come back in order, so dropping settled calls from the front
    // here keeps the queue about as long as the calls in flight, not rate x timeout.
    while (this.#head < this.#calls.length && !(this.#calls[this.#head] as PendingCall).waiting) this.#head++;
    this.#compact();
    this.#calls.push(call);
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    return call;
  }

  /** Drops the consumed front in bulk: shift() per call would be O(n) on a long queue. */
  #compact(): void {
    if (this.#head === this.#calls.length) {
      this.#calls.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#calls.length) {
      this.#calls = this.#calls.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, delayMs));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    const calls = this.#calls;
    while (this.#head < calls.length) {
      const call = calls[this.#head] as PendingCall;
      if (call.waiting && call.deadline > now) break;
      this.#head++;
      if (call.waiting) {
        call.waiting = false;
        call.fail();
      }
    }
    this.#compact();
    const next = this.#calls[this.#head];
    if (next !== undefined) this.#arm(next.deadline - now);
  }
}
