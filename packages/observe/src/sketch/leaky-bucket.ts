/**
 * A leaky bucket in the CrowdSec sense: each event pours one unit in, the
 * bucket drains `1` unit every `leakMs`, and it overflows when it holds more
 * than `capacity`. A burst of capacity+1 events faster than the leak fires;
 * a steady trickle slower than the leak never does.
 */
export interface LeakyBucketSpec {
  readonly capacity: number;
  readonly leakMs: number;
}

export class LeakyBucket {
  #level = 0;
  #updated: number;

  constructor(
    readonly spec: LeakyBucketSpec,
    now: number,
  ) {
    this.#updated = now;
  }

  /** Pours one event; true when the bucket overflows. */
  pour(now: number, amount = 1): boolean {
    this.#level = this.level(now) + amount;
    // Leaks from now on, even when `now` is earlier than the last pour: a clock stepped back (NTP, a VM restored)
    // left the bucket draining only once the clock caught up again, so a day's step back made an office NAT's
    // handful of typos a day into a brute-force finding and a block. Events a few ms out of order leak those ms twice.
    this.#updated = now;
    return this.#level > this.spec.capacity;
  }

  level(now: number): number {
    const leaked = Math.max(0, now - this.#updated) / this.spec.leakMs;
    return Math.max(0, this.#level - leaked);
  }

  /** Empty (and safe to forget) at this time. */
  isEmpty(now: number): boolean {
    return this.level(now) === 0;
  }
}

export function checkBucketSpec(spec: LeakyBucketSpec, name: string): string | undefined {
  if (!spec || !Number.isFinite(spec.capacity) || spec.capacity < 1) return `${name}.capacity must be a number >= 1`;
  if (!Number.isFinite(spec.leakMs) || spec.leakMs <= 0) return `${name}.leakMs must be a positive number of milliseconds`;
  return undefined;
}
