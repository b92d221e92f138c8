/**
 * Slows down guessing the token. A generated token (192 bits) cannot be guessed over HTTP however fast, but one
 * given with --token may be short (16 characters) or chosen by a person. After a few wrong tokens from one address,
 * that address must wait before it may present another: 30 s, doubling with each further wrong one, at most
 * 15 minutes. While it waits, a token it sends is not even compared (429 with Retry-After), so waiting is not
 * optional. Sessions already open keep working: only presenting a token (Bearer or `?token=`) is limited.
 *
 * On loopback every local process is 127.0.0.1, so a local process that guesses also makes the user wait to log in
 * again; their open session is not affected. Behind a reverse proxy (allowRemote) all clients share the proxy's
 * address and therefore one limit.
 */
export interface LoginThrottle {
  /** Milliseconds `client` must still wait before presenting a token; 0 when it may. */
  waitMs(client: string): number;
  failed(client: string): void;
  succeeded(client: string): void;
}

export interface ThrottleLimits {
  /** Wrong tokens allowed before the first wait. */
  readonly freeFailures: number;
  readonly firstWaitMs: number;
  readonly maxWaitMs: number;
  /** A client's count is forgotten after this long without a failure (and once its wait is over). */
  readonly forgetAfterMs: number;
  /** Addresses remembered at most; the least recently failing one is forgotten first. */
  readonly maxClients: number;
}

export const THROTTLE_LIMITS: ThrottleLimits = {
  freeFailures: 5,
  firstWaitMs: 30_000,
  maxWaitMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxClients: 4_096,
};

interface Record {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export function createLoginThrottle(now: () => number, limits: ThrottleLimits = THROTTLE_LIMITS): LoginThrottle {
  // Map order is the order of the last failure: a failing client is deleted and set again, so the first is the stalest.
  const clients = new Map<string, Record>();
  const stale = (record: Record, at: number) => at >= record.blockedUntil && at - record.lastFailureAt >= limits.forgetAfterMs;

  return {
    waitMs(client) {
      const record = clients.get(client);
      if (!record) return 0;
      const at = now();
      if (stale(record, at)) {
        clients.delete(client);
        return 0;
      }
      return Math.max(0, record.blockedUntil - at);
    },
    failed(client) {
      const at = now();
      const previous = clients.get(client);
      const record = previous && !stale(previous, at) ? previous : { failures: 0, lastFailureAt: at, blockedUntil: 0 };
      record.failures++;
      record.lastFailureAt = at;
      const over = record.failures - limits.freeFailures;
      if (over >= 0) record.blockedUntil = at + Math.min(limits.maxWaitMs, limits.firstWaitMs * 2 ** Math.min(over, 20));
      clients.delete(client);
      clients.set(client, record);
      if (clients.size > limits.maxClients) clients.delete(clients.keys().next().value as string);
    },
    succeeded(client) {
      clients.delete(client);
    },
  };
}
