/**
 * One bound for a whole shutdown (observe's `closeTimeoutMs`). Each step of close() waits for what is left of it,
 * never for a bound of its own on top of the others: steps of 5 s each, one after another, added up to 19 s against
 * a PostgreSQL that stopped answering, close to the 30 s after which Kubernetes kills the pod without a word.
 * Read from the monotonic clock: a wall clock stepped by NTP at shutdown must not stretch or cut the wait.
 */
export interface Deadline {
  /** Milliseconds left; 0 once it has passed. Infinity for NO_DEADLINE. */
  left(): number;
  /** A step's wait: its own bound, or what is left of the deadline if that is less. */
  cap(ms: number): number;
}

export function deadlineIn(ms: number): Deadline {
  const at = performance.now() + ms;
  const left = () => Math.max(0, at - performance.now());
  return { left, cap: (bound) => Math.min(bound, left()) };
}

/** For flushes outside close(): each step keeps its own bound. */
export const NO_DEADLINE: Deadline = { left: () => Number.POSITIVE_INFINITY, cap: (bound) => bound };
