/** One call waiting for Redis; `fail` is called once if its deadline passes first. */
export interface PendingCall {
  /** NaN until the event loop is next free (see DeadlineQueue.add). */
  deadline: number;
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
  #unstamped = 0;
  #stampScheduled = false;
  #unref = false;

  constructor(timeoutMs: number, now: () => number) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** Calls still held (waiting, or settled but not yet dropped): bounded by the calls in flight. */
  get size(): number {
    return this.#calls.length - this.#head;
  }

  /**
   * Starts the clock for one call; mark the returned call `waiting = false` when it settles.
   *
   * The clock starts when the event loop is next free, not now: calls made in
   * one synchronous burst (a thousand requests parsed in one turn, a handler
   * that blocks) cannot be sent or answered before the app yields, and
   * counting that time made a burst fail every call in flight on a healthy
   * Redis (and open the circuit breaker). The timeout measures Redis.
   */
  add(fail: () => void): PendingCall {
    const call: PendingCall = { deadline: Number.NaN, waiting: true, fail };
    this.#unstamped++;
    if (!this.#stampScheduled) {
      this.#stampScheduled = true;
      setImmediate(() => this.#stamp());
    }
    // Replies mostly come back in order, so dropping settled calls from the front
    // here keeps the queue about as long as the calls in flight, not rate x timeout.
    while (this.#head < this.#calls.length && !(this.#calls[this.#head] as PendingCall).waiting) this.#head++;
    this.#compact();
    this.#calls.push(call);
    return call;
  }

  /**
   * From now on the timer does not keep the process alive. For a closed
   * store, which adds no more calls: its timer stays armed for the oldest
   * deadline, `timeoutMs` away (users raise it to seconds), so a script, a
   * test run or a serverless handler lingered that long after close() with
   * nothing waiting. A call still in flight keeps its deadline while the
   * process runs, and a live client's socket keeps it running until the reply.
   */
  unref(): void {
    this.#unref = true;
    this.#timer?.unref();
  }

  /** Gives the calls added since the last stamp their deadline (they are the newest, at the back), then arms the timer. */
  #stamp(): void {
    this.#stampScheduled = false;
    const deadline = this.#now() + this.#timeoutMs;
    const calls = this.#calls;
    for (let i = calls.length - 1, left = this.#unstamped; i >= this.#head && left > 0; i--, left--) {
      (calls[i] as PendingCall).deadline = deadline;
    }
    this.#unstamped = 0;
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
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

  /**
   * The timer only starts the check; the check itself runs in the check phase
   * (setImmediate), after the poll phase has read whatever replies arrived. An
   * event loop the app kept busy past the deadline runs timers before it reads
   * sockets, so checking in the timer failed calls whose replies were already
   * waiting: under a burst every call in flight "timed out" though Redis had
   * answered, the limit failed open, and the circuit breaker opened on a healthy Redis.
   */
  #arm(delayMs: number): void {
    this.#timer = setTimeout(
      () => {
        setImmediate(() => this.#expire());
      },
      Math.max(0, delayMs),
    );
    if (this.#unref) this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = this.#now();
    const calls = this.#calls;
    while (this.#head < calls.length) {
      const call = calls[this.#head] as PendingCall;
      // NaN > now is false: an unstamped call would look due, so test for it (it is always behind the stamped ones).
      if (call.waiting && (call.deadline > now || Number.isNaN(call.deadline))) break;
      this.#head++;
      if (call.waiting) {
        call.waiting = false;
        call.fail();
      }
    }
    this.#compact();
    const next = this.#calls[this.#head];
    // The stamp arms the timer for calls that have no deadline yet.
    if (next !== undefined && !Number.isNaN(next.deadline)) this.#arm(next.deadline - now);
  }
}
