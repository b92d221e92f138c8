import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCodes, MemoryStore, ParapetError } from "../src/index.js";

const fixed = { limit: 3, windowMs: 1_000, cost: 1 };
const T0 = 1_700_000_000_000;

describe("MemoryStore", () => {
  it("never holds more than maxKeys keys", async () => {
    const store = new MemoryStore({ maxKeys: 50 });
    for (let i = 0; i < 1_000; i++) {
      await store.fixedWindow(`k${i}`, fixed, T0);
      assert.ok(store.size <= 50, `size ${store.size} after ${i + 1} keys`);
    }
    assert.equal(store.size, 50);
    assert.equal(store.evictions, 950);
  });

  it("evicts the least recently used key, not the oldest inserted", async () => {
    const store = new MemoryStore({ maxKeys: 2 });
    await store.fixedWindow("a", fixed, T0);
    await store.fixedWindow("b", fixed, T0);
    await store.fixedWindow("a", fixed, T0); // a is now the most recent
    await store.fixedWindow("c", fixed, T0); // evicts b
    assert.equal((await store.fixedWindow("a", fixed, T0)).remaining, 0, "a kept its count of 3");
    assert.equal((await store.fixedWindow("b", fixed, T0)).remaining, 2, "b started afresh");
  });

  it("reclaims expired keys without waiting to be full", async () => {
    const store = new MemoryStore({ maxKeys: 1_000 });
    for (let i = 0; i < 100; i++) await store.fixedWindow(`old${i}`, fixed, T0);
    assert.equal(store.size, 100);
    for (let i = 0; i < 100; i++) await store.fixedWindow(`new${i}`, fixed, T0 + 5_000);
    assert.equal(store.size, 100, "each new key reclaimed expired old ones");
    assert.equal(store.evictions, 0, "reclaiming expired keys is not an eviction");
  });

  it("treats an expired key as new when it is seen again", async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) await store.fixedWindow("k", fixed, T0);
    assert.equal((await store.fixedWindow("k", fixed, T0)).allowed, false);
    assert.equal((await store.fixedWindow("k", fixed, T0 + 1_000)).remaining, 2);
  });

  it("starts a key afresh when another algorithm reuses it", async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) await store.fixedWindow("k", fixed, T0);
    const bucket = await store.tokenBucket("k", { capacity: 5, refillRate: 1, intervalMs: 1_000, requested: 1 }, T0);
    assert.deepEqual(bucket, { allowed: true, remaining: 4, resetMs: 1_000, retryAfterMs: 0 });
  });

  it("keeps working after grow beyond its first allocation", async () => {
    const store = new MemoryStore({ maxKeys: 5_000 });
    for (let i = 0; i < 3_000; i++) await store.fixedWindow(`k${i}`, fixed, T0);
    for (let i = 0; i < 3_000; i++) assert.equal((await store.fixedWindow(`k${i}`, fixed, T0)).remaining, 1);
  });

  it("refuses a token request larger than the bucket with a clear error", () => {
    const store = new MemoryStore();
    assert.throws(
      () => store.tokenBucket("k", { capacity: 5, refillRate: 1, intervalMs: 1_000, requested: 6 }, T0),
      (error: unknown) => error instanceof ParapetError && /holds at most 5/.test(error.message),
    );
  });

  it("forgets everything on close", async () => {
    const store = new MemoryStore();
    await store.fixedWindow("k", fixed, T0);
    await store.close();
    assert.equal(store.size, 0);
    assert.equal((await store.fixedWindow("k", fixed, T0)).remaining, 2);
  });

  for (const bad of [0, -1, 1.5, Number.NaN, "10", Number.POSITIVE_INFINITY]) {
    it(`rejects maxKeys ${String(bad)} at construction`, () => {
      assert.throws(
        () => new MemoryStore({ maxKeys: bad as number }),
        (error: unknown) => error instanceof ParapetError && error.code === ErrorCodes.INVALID_OPTION && /maxKeys/.test(error.message),
      );
    });
  }
});

describe("MemoryStore eviction order", () => {
  it("matches a reference LRU over a long random sequence", async () => {
    const maxKeys = 8;
    const store = new MemoryStore({ maxKeys });
    const reference = new Map<string, number>(); // key -> count, in recency order
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const params = { limit: 1_000, windowMs: 60_000, cost: 1 };
    for (let i = 0; i < 5_000; i++) {
      const key = `k${Math.floor(random() * 20)}`;
      const count = (reference.get(key) ?? 0) + 1;
      reference.delete(key);
      reference.set(key, count);
      if (reference.size > maxKeys) reference.delete(reference.keys().next().value as string);
      const state = await store.fixedWindow(key, params, T0);
      assert.equal(state.remaining, 1_000 - count, `step ${i}, key ${key}`);
    }
    assert.equal(store.size, maxKeys);
  });
});

describe("MemoryStore when full: a client cannot evict its own limit", () => {
  // A login limit keyed on the username the client types: 5 guesses an hour for the victim's account.
  const login = { limit: 5, windowMs: 3_600_000, cost: 1 };
  const flood = async (store: MemoryStore, count: number, tag: string) => {
    for (let i = 0; i < count; i++) await store.fixedWindow(`${tag}${i}`, login, T0);
  };

  it("keeps a key at its limit while fresh keys flood the store", async () => {
    const store = new MemoryStore({ maxKeys: 1_000 });
    for (let i = 0; i < 5; i++) assert.equal((await store.fixedWindow("victim", login, T0)).allowed, true);
    assert.equal((await store.fixedWindow("victim", login, T0)).allowed, false);
    await flood(store, 5_000, "junk");
    assert.equal((await store.fixedWindow("victim", login, T0)).allowed, false, "the flood gave the victim's account a fresh window");
    assert.equal(store.size, 1_000);
    assert.equal(store.limitedEvictions, 0);
  });

  it("keeps a key most of whose limit is used, so stopping one short of the limit does not help either", async () => {
    const store = new MemoryStore({ maxKeys: 1_000 });
    for (let i = 0; i < 4; i++) await store.fixedWindow("victim", login, T0);
    await flood(store, 5_000, "junk");
    assert.equal((await store.fixedWindow("victim", login, T0)).remaining, 0, "the victim's count of 4 was kept");
  });

  it("does the same for sliding windows and token buckets", async () => {
    const store = new MemoryStore({ maxKeys: 100 });
    const bucket = { capacity: 3, refillRate: 1, intervalMs: 3_600_000, requested: 1 };
    for (let i = 0; i < 5; i++) await store.slidingWindow("victim-sw", login, T0);
    for (let i = 0; i < 3; i++) await store.tokenBucket("victim-tb", bucket, T0);
    for (let i = 0; i < 1_000; i++) {
      await store.slidingWindow(`sw${i}`, login, T0);
      await store.tokenBucket(`tb${i}`, bucket, T0);
    }
    assert.equal((await store.slidingWindow("victim-sw", login, T0)).allowed, false);
    assert.equal((await store.tokenBucket("victim-tb", bucket, T0)).allowed, false);
  });

  it("drops a key at its limit only once the store holds nothing else, and counts it", async () => {
    const store = new MemoryStore({ maxKeys: 100 });
    for (let i = 0; i < 6; i++) await store.fixedWindow("victim", login, T0);
    // Every other key used up too: this cost the attacker the whole limit of 100 keys, 500 requests.
    for (let k = 0; k < 99; k++) for (let i = 0; i < 5; i++) await store.fixedWindow(`spent${k}`, login, T0);
    assert.equal(store.evictions, 0);
    await store.fixedWindow("one-more", login, T0);
    assert.deepEqual([store.evictions, store.limitedEvictions], [1, 1], "the least recently used key at its limit made room");
    assert.equal((await store.fixedWindow("victim", login, T0)).remaining, 4, "the victim was that key");
  });

  it("still reclaims expired keys of every rank before dropping a live one", async () => {
    const store = new MemoryStore({ maxKeys: 10 });
    for (let k = 0; k < 10; k++) for (let i = 0; i < 5; i++) await store.fixedWindow(`spent${k}`, fixed, T0);
    await flood(store, 10, "later");
    assert.equal(store.evictions, 10, "fresh keys displaced live keys at their limit only because nothing else was held");
    const next = T0 + 3_600_000;
    for (let i = 0; i < 10; i++) await store.fixedWindow(`next${i}`, login, next);
    assert.equal(store.evictions, 10, "the expired keys were reclaimed, not evicted");
  });
});
