/**
 * Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi 2005): at most
 * `capacity` counters; a new key evicts the smallest and inherits its count
 * as `error`. Every key with true frequency above total/capacity is kept,
 * with count overestimated by at most `error`.
 */
export interface HeavyHitter {
  readonly key: string;
  readonly count: number;
  readonly error: number;
}

export class SpaceSaving {
  readonly #capacity: number;
  readonly #counts = new Map<string, { count: number; error: number }>();
  #total = 0;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("SpaceSaving capacity must be a positive integer");
    this.#capacity = capacity;
  }

  add(key: string, weight = 1): void {
    this.#total += weight;
    const entry = this.#counts.get(key);
    if (entry) {
      entry.count += weight;
      return;
    }
    if (this.#counts.size < this.#capacity) {
      this.#counts.set(key, { count: weight, error: 0 });
      return;
    }
    // Linear scan for the minimum: capacity is small (tens), and this runs once per unseen key.
    let minKey = "";
    let min = Number.POSITIVE_INFINITY;
    for (const [k, v] of this.#counts) {
      if (v.count < min) {
        min = v.count;
        minKey = k;
      }
    }
    this.#counts.delete(minKey);
    this.#counts.set(key, { count: min + weight, error: min });
  }

  get total(): number {
    return this.#total;
  }

  top(n = this.#capacity): HeavyHitter[] {
    return [...this.#counts]
      .map(([key, v]) => ({ key, count: v.count, error: v.error }))
      .sort((a, b) => b.count - a.count)
      .slice(0, n);
  }
}
