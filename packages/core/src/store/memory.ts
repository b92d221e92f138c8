import { ErrorCodes, optionError, ParapetError } from "../errors.js";
import type { FixedWindowParams, RateLimitState, SlidingWindowParams, Store, TokenBucketParams } from "../types.js";
import { type Columns, fixedWindowStep, slidingWindowStep, tokenBucketStep } from "./algorithms.js";

export interface MemoryStoreOptions {
  /**
   * The most keys held at once (default 100,000). When full, a key is dropped
   * to make room: the least recently used among those whose clients have used
   * the least of their limit (see MemoryStore), and its client starts afresh.
   * Size it above the number of clients active within one window.
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
 * Keys are ranked by how much of their limit their client has used, in
 * thirds (0, 1, 2), and AT_LIMIT for a client with nothing left or just
 * denied. A full store drops from the lowest non-empty rank. With one LRU
 * list, a client could evict its own exhausted key by sending maxKeys
 * requests under fresh keys (usernames in a login limit, API keys, IPv6
 * /64s), one each, and get a new window: a limit of 5 guesses an hour became
 * 5 guesses per 100,000 cheap requests. Now a fresh key only displaces other
 * keys at its own rank, so dropping a key whose client used most of its limit
 * first takes filling the whole store with keys used as far: the attacker
 * spends about what the drop gives back, times maxKeys.
 */
const RANKS = 4;
const AT_LIMIT = RANKS - 1;

/**
 * A bounded, single-process store. Each key owns one slot in a few typed
 * arrays (three numbers and an expiry), so a decision allocates nothing per
 * request and the heap holds no object per key. Recency is one doubly linked
 * list per rank (see RANKS) threaded through two more typed arrays: a hit
 * moves its slot to the head of its rank's list, a full store reuses the tail
 * slot of the lowest rank holding any. (A Map's insertion order is not
 * enough: finding its first entry skips every deleted one, which made each
 * eviction O(deletions) and the store 10x slower once full.)
 * Expiry is lazy (no timers): an expired slot reads as empty, and each new key
 * first reclaims the least recently used keys of each rank if they have expired.
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
  #rank = new Uint8Array(0);
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  /** Per rank: the most recently used slot, or -1. */
  readonly #heads = new Int32Array(RANKS).fill(NONE);
  /** Per rank: the least recently used slot, or -1. */
  readonly #tails = new Int32Array(RANKS).fill(NONE);
  #columns: Columns = { a: new Float64Array(0), b: new Float64Array(0), c: new Float64Array(0), expiresAt: new Float64Array(0) };
  #evictions = 0;
  #limitedEvictions = 0;

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

  /**
   * Of `evictions`, keys whose client was at its limit: each gave a client
   * that was being refused a fresh quota. It stays 0 unless the store is full
   * of clients at their limit: raise maxKeys, or look for someone filling it.
   */
  get limitedEvictions(): number {
    return this.#limitedEvictions;
  }

  fixedWindow(key: string, params: FixedWindowParams, now: number): RateLimitState {
    const slot = this.#slotFor(key, FIXED, now); // first: it may grow the columns
    const state = fixedWindowStep(this.#columns, slot, params, now);
    this.#rerank(slot, state, params.limit);
    return state;
  }

  slidingWindow(key: string, params: SlidingWindowParams, now: number): RateLimitState {
    const slot = this.#slotFor(key, SLIDING, now);
    const state = slidingWindowStep(this.#columns, slot, params, now);
    this.#rerank(slot, state, params.limit);
    return state;
  }

  tokenBucket(key: string, params: TokenBucketParams, now: number): RateLimitState {
    if (params.requested > params.capacity) {
      throw new ParapetError(
        ErrorCodes.RULE_FAILED,
        `a call requested ${params.requested} tokens but the bucket holds at most ${params.capacity}; it could never pass`,
      );
    }
    const slot = this.#slotFor(key, TOKEN, now);
    const state = tokenBucketStep(this.#columns, slot, params, now);
    this.#rerank(slot, state, params.capacity);
    return state;
  }

  async close(): Promise<void> {
    this.#index.clear();
    this.#keys = [];
    this.#free.length = 0;
    this.#used = 0;
    this.#heads.fill(NONE);
    this.#tails.fill(NONE);
  }

  /**
   * The slot for `key`, moved to the head. A missing, expired or
   * other-algorithm slot comes back empty (NaN) for the step to initialise.
   */
  #slotFor(key: string, kind: number, now: number): number {
    const existing = this.#index.get(key);
    if (existing !== undefined) {
      if (existing !== this.#heads[this.#rank[existing] as number]) {
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
    this.#rank[slot] = 0;
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

  /**
   * The slot's rank after a step: how much of `limit` its client has used.
   * Only a change of rank moves it (to the head of the new rank's list).
   */
  #rerank(slot: number, state: RateLimitState, limit: number): void {
    const rank =
      !state.allowed || state.remaining <= 0
        ? AT_LIMIT
        : Math.min(AT_LIMIT - 1, Math.floor(((limit - state.remaining) * AT_LIMIT) / limit));
    if (rank === this.#rank[slot]) return;
    this.#unlink(slot);
    this.#rank[slot] = rank;
    this.#linkAtHead(slot);
  }

  /** Idle keys leave without waiting for the store to fill: two per rank and new key keeps pace with arrivals. */
  #reclaimExpiredTail(now: number): void {
    for (let rank = 0; rank < RANKS; rank++) {
      for (let i = 0; i < 2; i++) {
        const slot = this.#tails[rank] as number;
        if (slot === NONE || (this.#columns.expiresAt[slot] as number) > now) break;
        this.#remove(slot);
        this.#free.push(slot);
      }
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
    // Full: the least recently used key of the lowest rank gives up its slot, and its client starts afresh.
    let rank = 0;
    while (this.#tails[rank] === NONE) rank++;
    const slot = this.#tails[rank] as number;
    if ((this.#columns.expiresAt[slot] as number) > now) {
      this.#evictions++;
      if (rank === AT_LIMIT) this.#limitedEvictions++;
    }
    this.#remove(slot);
    return slot;
  }

  #remove(slot: number): void {
    this.#unlink(slot);
    this.#index.delete(this.#keys[slot] as string);
    this.#keys[slot] = undefined;
  }

  #unlink(slot: number): void {
    const rank = this.#rank[slot] as number;
    const before = this.#prev[slot] as number;
    const after = this.#next[slot] as number;
    if (before === NONE) this.#heads[rank] = after;
    else this.#next[before] = after;
    if (after === NONE) this.#tails[rank] = before;
    else this.#prev[after] = before;
  }

  #linkAtHead(slot: number): void {
    const rank = this.#rank[slot] as number;
    const head = this.#heads[rank] as number;
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head !== NONE) this.#prev[head] = slot;
    this.#heads[rank] = slot;
    if (this.#tails[rank] === NONE) this.#tails[rank] = slot;
  }

  #grow(capacity: number): void {
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    const { a, b, c, expiresAt } = this.#columns;
    this.#kind = grow(this.#kind, new Uint8Array(capacity));
    this.#rank = grow(this.#rank, new Uint8Array(capacity));
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
