import { ErrorCodes, optionError, ParapetError } from "../errors.js";
import type { FixedWindowParams, RateLimitState, SlidingWindowParams, Store, TokenBucketParams } from "../types.js";
import { type Columns, fixedWindowStep, slidingWindowStep, tokenBucketStep } from "./algorithms.js";

export interface MemoryStoreOptions {
  /**
   * The most keys held at once (default 100,000). When full, the least
   * recently used key is dropped: its client starts afresh. Size it above the
   * number of clients active within one window.
   */
  readonly maxKeys?: number;
}

/** Which algorithm a slot holds; a key reused by another algorithm starts afresh. */
const FIXED = 1;
const SLIDING = 2;
const TOKEN = 3;

const INITIAL_SLOTS = 1024;
const NONE = -1;

/**
 * A bounded, single-process store. Each key owns one slot in a few typed
 * arrays (three numbers and an expiry), so a decision allocates nothing per
 * request and the heap holds no object per key. Recency is a doubly linked
 * list threaded through two more typed arrays: a hit moves its slot to the
 * head, a full store reuses the tail's slot. (A Map's insertion order is not
 * enough: finding its first entry skips every deleted one, which made each
 * eviction O(deletions) and the store 10x slower once full.)
 * Expiry is lazy (no timers): an expired slot reads as empty, and each new key
 * first reclaims the least recently used key if that one has expired.
 *
 * Every step is synchronous (it returns the state, not a promise), so each is
 * atomic in one process and a rule on this store costs no promise per request.
 */
export class MemoryStore implements Store {
  readonly #maxKeys: number;
  readonly #index = new Map<string, number>();
  #keys: (string | undefined)[] = [];
  readonly #free: number[] = [];
  #capacity = 0;
  #used = 0;
  #kind = new Uint8Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  /** Most recently used slot, or -1. */
  #head = NONE;
  /** Least recently used slot, or -1. */
  #tail = NONE;
  #columns: Columns = { a: new Float64Array(0), b: new Float64Array(0), c: new Float64Array(0), expiresAt: new Float64Array(0) };
  #evictions = 0;

  constructor(options: MemoryStoreOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw optionError("MemoryStore", "pass an options object, e.g. { maxKeys: 100_000 }");
    }
    const maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw optionError("MemoryStore", `\`maxKeys\` must be a positive integer; got ${String(options.maxKeys)}`);
    }
    this.#maxKeys = maxKeys;
    this.#grow(Math.min(INITIAL_SLOTS, maxKeys));
  }

  /** Keys currently held (expired ones included until reclaimed). */
  get size(): number {
    return this.#index.size;
  }

  /** Keys dropped while still live because the store was full. */
  get evictions(): number {
    return this.#evictions;
  }

  fixedWindow(key: string, params: FixedWindowParams, now: number): RateLimitState {
    const slot = this.#slotFor(key, FIXED, now); // first: it may grow the columns
    return fixedWindowStep(this.#columns, slot, params, now);
  }

  slidingWindow(key: string, params: SlidingWindowParams, now: number): RateLimitState {
    const slot = this.#slotFor(key, SLIDING, now);
    return slidingWindowStep(this.#columns, slot, params, now);
  }

  tokenBucket(key: string, params: TokenBucketParams, now: number): RateLimitState {
    if (params.requested > params.capacity) {
      throw new ParapetError(
        ErrorCodes.RULE_FAILED,
        `a call requested ${params.requested} tokens but the bucket holds at most ${params.capacity}; it could never pass`,
      );
    }
    const slot = this.#slotFor(key, TOKEN, now);
    return tokenBucketStep(this.#columns, slot, params, now);
  }

  async close(): Promise<void> {
    this.#index.clear();
    this.#keys = [];
    this.#free.length = 0;
    this.#used = 0;
    this.#head = NONE;
    this.#tail = NONE;
  }

  /**
   * The slot for `key`, moved to the head. A missing, expired or
   * other-algorithm slot comes back empty (NaN) for the step to initialise.
   */
  #slotFor(key: string, kind: number, now: number): number {
    const existing = this.#index.get(key);
    if (existing !== undefined) {
      if (existing !== this.#head) {
        this.#unlink(existing);
        this.#linkAtHead(existing);
      }
      if (this.#kind[existing] !== kind || (this.#columns.expiresAt[existing] as number) <= now) this.#reset(existing, kind);
      return existing;
    }
    this.#reclaimExpiredTail(now);
    const slot = this.#allocate(now);
    this.#index.set(key, slot);
    this.#keys[slot] = key;
    this.#linkAtHead(slot);
    this.#reset(slot, kind);
    return slot;
  }

  #reset(slot: number, kind: number): void {
    const { a, b, c, expiresAt } = this.#columns;
    this.#kind[slot] = kind;
    a[slot] = Number.NaN;
    b[slot] = Number.NaN;
    c[slot] = Number.NaN;
    expiresAt[slot] = Number.POSITIVE_INFINITY;
  }

  /** Idle keys leave without waiting for the store to fill: two per new key keeps pace with arrivals. */
  #reclaimExpiredTail(now: number): void {
    for (let i = 0; i < 2; i++) {
      const slot = this.#tail;
      if (slot === NONE || (this.#columns.expiresAt[slot] as number) > now) return;
      this.#remove(slot);
      this.#free.push(slot);
    }
  }

  #allocate(now: number): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#used < this.#capacity) return this.#used++;
    if (this.#capacity < this.#maxKeys) {
      this.#grow(Math.min(this.#capacity * 2, this.#maxKeys));
      return this.#used++;
    }
    // Full: the least recently used key gives up its slot, and its client starts afresh.
    const slot = this.#tail;
    if ((this.#columns.expiresAt[slot] as number) > now) this.#evictions++;
    this.#remove(slot);
    return slot;
  }

  #remove(slot: number): void {
    this.#unlink(slot);
    this.#index.delete(this.#keys[slot] as string);
    this.#keys[slot] = undefined;
  }

  #unlink(slot: number): void {
    const before = this.#prev[slot] as number;
    const after = this.#next[slot] as number;
    if (before === NONE) this.#head = after;
    else this.#next[before] = after;
    if (after === NONE) this.#tail = before;
    else this.#prev[after] = before;
  }

  #linkAtHead(slot: number): void {
    this.#prev[slot] = NONE;
    this.#next[slot] = this.#head;
    if (this.#head !== NONE) this.#prev[this.#head] = slot;
    this.#head = slot;
    if (this.#tail === NONE) this.#tail = slot;
  }

  #grow(capacity: number): void {
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    const { a, b, c, expiresAt } = this.#columns;
    this.#kind = grow(this.#kind, new Uint8Array(capacity));
    this.#prev = grow(this.#prev, new Int32Array(capacity));
    this.#next = grow(this.#next, new Int32Array(capacity));
    this.#columns = {
      a: grow(a, new Float64Array(capacity)),
      b: grow(b, new Float64Array(capacity)),
      c: grow(c, new Float64Array(capacity)),
      expiresAt: grow(expiresAt, new Float64Array(capacity)),
    };
    this.#capacity = capacity;
  }
}
