import { LeakyBucket, type LeakyBucketSpec } from "../sketch/leaky-bucket.js";

/**
 * The life of a site-wide bucket (spread-probes.ts, attack-campaign.ts): what it remembers (which clients, paths or
 * classes already counted) belongs to one fill of the bucket. Once the bucket has drained, or has overflowed into a
 * finding, that memory starts afresh with it, so a path or a client counted an hour ago can count again.
 */
export class SiteWindow<State> {
  #bucket: LeakyBucket | undefined;
  #state: State | undefined;

  constructor(
    readonly spec: LeakyBucketSpec,
    private readonly fresh: () => State,
  ) {}

  /** What this fill of the bucket has counted so far (a new, empty one once the bucket has drained). */
  current(now: number): State {
    if (!this.#bucket || this.#bucket.isEmpty(now)) this.#reset(now);
    return this.#state as State;
  }

  /**
   * Pours one; on overflow returns the bucket's level and starts afresh (the caller builds its finding from the state
   * `current()` handed it, which is no longer this window's). Undefined while the bucket holds.
   */
  pour(now: number): number | undefined {
    const bucket = this.#bucket as LeakyBucket;
    if (!bucket.pour(now)) return undefined;
    const level = bucket.level(now);
    this.#reset(now);
    return level;
  }

  #reset(now: number): void {
    this.#bucket = new LeakyBucket(this.spec, now);
    this.#state = this.fresh();
  }
}
