/**
 * A Map holding at most `capacity` entries (2 when capacity is 1) that forgets the least recently
 * used ones first: every per-key detector state lives in one, so an attacker
 * rotating keys costs evictions, never memory.
 *
 * Two generations instead of a strict LRU list: writes go to `young`; when it
 * holds capacity/2 entries, `old` is dropped wholesale and `young` becomes
 * `old`. A read that hits `old` moves the entry back to `young`. So an entry
 * used within the last capacity/2 insertions is always kept, and the request
 * rate never pays for the delete-and-reinsert a strict LRU needs on every read
 * (which churned V8's hash tables and the garbage collector).
 */
export class BoundedMap<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #generation: number;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("BoundedMap capacity must be a positive integer");
    this.#generation = Math.max(1, Math.floor(capacity / 2));
  }

  /** Reads and marks the entry as recently used. */
  get(key: K): V | undefined {
    const value = this.#young.get(key);
    if (value !== undefined) return value;
    const aged = this.#old.get(key);
    if (aged !== undefined) {
      this.#old.delete(key);
      this.#insert(key, aged);
    }
    return aged;
  }

  /** Reads without refreshing recency. */
  peek(key: K): V | undefined {
    return this.#young.get(key) ?? this.#old.get(key);
  }

  set(key: K, value: V): void {
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#insert(key, value);
  }

  delete(key: K): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Oldest generation first. */
  *entries(): IterableIterator<[K, V]> {
    yield* this.#old.entries();
    yield* this.#young.entries();
  }

  #insert(key: K, value: V): void {
    if (this.#young.size >= this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
