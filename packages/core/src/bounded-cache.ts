/**
 * A map keyed by text from the network (addresses, keys built from them):
 * bounded, and simply emptied when full. An LRU's bookkeeping would cost more
 * on every hit than the occasional refill costs after a clear.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    /** Longer keys are not kept: they are rare, and would make the bound a bound on count only. */
    private readonly maxKeyLength = Number.POSITIVE_INFINITY,
  ) {}

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, value);
  }
}
