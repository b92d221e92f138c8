/**
 * Per-host circuit breaker for one audit run. A registry that hangs or keeps
 * failing would otherwise cost a full round of timeouts and retries for every
 * package; after `threshold` failed attempts in a row the host is given up on,
 * the remaining requests fail at once, and the run says so in one line.
 */
export interface HostCircuit {
  /** Why requests to `host` are skipped, or undefined while it may still be tried. */
  skipReason(host: string): string | undefined;
  /** The host answered (any HTTP status but 429 and 5xx): it is alive. */
  recordSuccess(host: string): void;
  recordFailure(host: string, reason: string): void;
  /**
   * Gives up on `host` at once, for a reason of its own (a Retry-After longer than the run may wait): `skip` ends the
   * message of each request skipped, `notice` is the report's line.
   */
  giveUp(host: string, why: { readonly skip: string; readonly notice: string }): void;
  /** One line per host given up on since the last call, for the report's notices. */
  takeNotices(): string[];
}

/** Five failures in a row: more than one retry cycle, fewer than one round of the default 8 parallel downloads. */
export const DEFAULT_FAILURE_THRESHOLD = 5;

export function createHostCircuit(threshold = DEFAULT_FAILURE_THRESHOLD): HostCircuit {
  const failures = new Map<string, number>();
  const brokenBy = new Map<string, { readonly skip: string; readonly notice: string }>();
  const reported = new Set<string>();
  return {
    skipReason(host) {
      return brokenBy.get(host)?.skip;
    },
    recordSuccess(host) {
      if (!brokenBy.has(host)) failures.delete(host);
    },
    recordFailure(host, reason) {
      const count = (failures.get(host) ?? 0) + 1;
      failures.set(host, count);
      if (count >= threshold && !brokenBy.has(host))
        brokenBy.set(host, {
          skip: `${host} failed ${threshold} times in a row earlier in this run (${reason})`,
          notice: `${host} failed ${threshold} times in a row (last: ${reason}), so the rest of its requests were skipped and those packages were not checked. Check the registry URL and the network, then re-run.`,
        });
    },
    giveUp(host, why) {
      if (!brokenBy.has(host)) brokenBy.set(host, why);
    },
    takeNotices() {
      const notices: string[] = [];
      for (const [host, { notice }] of brokenBy) {
        if (reported.has(host)) continue;
        reported.add(host);
        notices.push(notice);
      }
      return notices;
    },
  };
}
