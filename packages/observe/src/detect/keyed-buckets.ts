import { boundedKey } from "../bounded-key.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import { LeakyBucket, type LeakyBucketSpec } from "../sketch/leaky-bucket.js";

/**
 * One leaky bucket per key (IP, user), CrowdSec style, with an optional
 * `distinct` field: the bucket is poured only the first time a value (a path,
 * a user name) is seen for that key, so "many users from one IP" counts users,
 * not attempts. Keys and distinct values are bounded in number and size; a bucket that overflowed
 * is reset, so a sustained attack fires again only after it refills.
 */
export class KeyedBuckets {
  readonly #states: BoundedMap<string, { bucket: LeakyBucket; seen: Set<string> }>;

  constructor(
    readonly spec: LeakyBucketSpec,
    maxKeys: number,
    /** Distinct values remembered per key; beyond it every value counts as new. */
    readonly maxDistinct = 256,
  ) {
    this.#states = new BoundedMap(maxKeys);
  }

  /**
   * Pours `amount` units for `key` (or nothing when `distinct` was seen before for it);
   * returns the level reached when the bucket overflows, else undefined.
   */
  pour(key: string, now: number, distinct?: string, amount = 1): number | undefined {
    let state = this.#states.get(key);
    if (!state || state.bucket.isEmpty(now)) {
      state = { bucket: new LeakyBucket(this.spec, now), seen: new Set() };
      this.#states.set(key, state);
    }
    if (distinct !== undefined) {
      // Remembered by a bounded key: 256 distinct 1 KB paths for each of 50,000 clients would be gigabytes.
      const value = boundedKey(distinct);
      if (state.seen.has(value)) return undefined;
      if (state.seen.size < this.maxDistinct) state.seen.add(value);
    }
    if (!state.bucket.pour(now, amount)) return undefined;
    const level = state.bucket.level(now);
    this.#states.delete(key);
    return level;
  }
}
