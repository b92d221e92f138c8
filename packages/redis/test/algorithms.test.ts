/**
 * The three algorithms against the real shared Redis: semantics, key layout
 * and TTLs. Exactness under concurrency is in exactness.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { MemoryStore, silentLogger } from "@parapet/core";
import fc from "fast-check";
import { Redis } from "ioredis";
import { RedisStore } from "../src/index.js";
import { SHARED_REDIS_URL, useSharedRedis } from "./support/shared-redis.js";

let store: RedisStore;
const shared = useSharedRedis("algorithms", (redis, prefix) => {
  // A generous timeout: these tests check semantics, not latency, on a busy CI machine.
  store = new RedisStore({ client: redis, prefix, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
});
const prefix = shared.prefix;
const DAY_MS = 86_400_000;

describe("fixedWindow", () => {
  test("allows up to the limit, then denies without counting the denial", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const params = { limit: 3, windowMs: DAY_MS, cost: 1 };
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const state = await store.fixedWindow("fw-basic", params, 0);
      assert.equal(state.allowed, true);
      remaining.push(state.remaining);
    }
    assert.deepEqual(remaining, [2, 1, 0]);
    const denied = await store.fixedWindow("fw-basic", params, 0);
    assert.equal(denied.allowed, false);
    // Windows are aligned to the epoch, so the wait is whatever is left of today (UTC).
    assert.ok(denied.retryAfterMs > 0 && denied.retryAfterMs <= DAY_MS, `retryAfterMs ${denied.retryAfterMs}`);
    assert.equal(denied.retryAfterMs, denied.resetMs);
    assert.equal(await shared.redis!.get(`${prefix}{fw-basic}:fw`), "3", "a denied request must not be counted");
  });

  test("keys carry the prefix and a hash tag, and always a TTL within the window", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await store.fixedWindow("fw-ttl", { limit: 5, windowMs: 7_000, cost: 1 }, 0);
    const ttl = await shared.redis!.pttl(`${prefix}{fw-ttl}:fw`);
    assert.ok(ttl > 0 && ttl <= 7_000, `pttl ${ttl}`);
  });

  test("a cost larger than what is left is denied even when a smaller one would pass", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const first = await store.fixedWindow("fw-cost", { limit: 5, windowMs: DAY_MS, cost: 4 }, 0);
    assert.deepEqual([first.allowed, first.remaining], [true, 1]);
    const tooBig = await store.fixedWindow("fw-cost", { limit: 5, windowMs: DAY_MS, cost: 2 }, 0);
    assert.deepEqual([tooBig.allowed, tooBig.remaining], [false, 1]);
    const fits = await store.fixedWindow("fw-cost", { limit: 5, windowMs: DAY_MS, cost: 1 }, 0);
    assert.deepEqual([fits.allowed, fits.remaining], [true, 0]);
  });

  test("a window ends when its retryAfterMs says", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const params = { limit: 1, windowMs: 150, cost: 1 };
    assert.equal((await store.fixedWindow("fw-reset", params, 0)).allowed, true);
    const denied = await store.fixedWindow("fw-reset", params, 0);
    assert.equal(denied.allowed, false);
    await sleep(denied.retryAfterMs + 20);
    assert.equal((await store.fixedWindow("fw-reset", params, 0)).allowed, true);
  });

  test("a key left without a TTL by someone else is repaired rather than kept forever", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await shared.redis!.set(`${prefix}{fw-nottl}:fw`, 999);
    const state = await store.fixedWindow("fw-nottl", { limit: 2, windowMs: 5_000, cost: 1 }, 0);
    assert.deepEqual([state.allowed, state.remaining], [true, 1]);
    const ttl = await shared.redis!.pttl(`${prefix}{fw-nottl}:fw`);
    assert.ok(ttl > 0 && ttl <= 5_000, `pttl ${ttl}`);
  });

  test("a key of another type (an older layout, or someone else's) is replaced by a fresh window, not an error", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    for (const [name, plant] of [
      ["fw-hash", (key: string) => shared.redis!.hset(key, "w", 0, "c", 999)],
      ["fw-text", (key: string) => shared.redis!.set(key, "not a number", "PX", 60_000)],
    ] as const) {
      const key = `${prefix}{${name}}:fw`;
      await plant(key);
      const state = await store.fixedWindow(name, { limit: 2, windowMs: 5_000, cost: 1 }, 0);
      assert.deepEqual([state.allowed, state.remaining], [true, 1], name);
      assert.equal(await shared.redis!.get(key), "1", name);
    }
  });

  test("remaining and reset come from the live window: resetMs shrinks and matches the key's TTL", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const params = { limit: 10, windowMs: 60_000, cost: 3 };
    const first = await store.fixedWindow("fw-live", params, 0);
    const second = await store.fixedWindow("fw-live", params, 0);
    assert.deepEqual([first.remaining, second.remaining], [7, 4]);
    assert.ok(second.resetMs <= first.resetMs && second.resetMs > 0, `${first.resetMs} then ${second.resetMs}`);
    const ttl = await shared.redis!.pttl(`${prefix}{fw-live}:fw`);
    assert.ok(Math.abs(ttl - second.resetMs) <= 50, `pttl ${ttl} vs resetMs ${second.resetMs}`);
    // Windows are aligned to the epoch on Redis's clock: the reset lands on a multiple of the window.
    const [seconds, micros] = await shared.redis!.time();
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const end = redisNow + ttl;
    const offset = end % 60_000;
    assert.ok(offset <= 50 || offset >= 60_000 - 50, `window end ${end} is ${offset} ms off a minute boundary`);
  });

  test("a very long key is stored under its hash, so attacker input cannot grow Redis memory", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const longKey = `user=${"x".repeat(5_000)}`;
    await store.fixedWindow(longKey, { limit: 2, windowMs: 5_000, cost: 1 }, 0);
    const keys = await shared.redis!.keys(`${prefix}{sha256:*`);
    assert.equal(keys.length, 1);
    assert.ok(keys[0]!.length < 120, keys[0]);
  });

  test("keys that differ only in unpaired surrogates are separate clients, not one counter", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // Redis reads keys as UTF-8, where each of these used to become "alice\uFFFD".
    const params = { limit: 1, windowMs: DAY_MS, cost: 1 };
    for (const key of ["user=alice\uD800", "user=alice\uDBFF", "user=alice\uFFFD", "user=alice\uDC00\uD800"]) {
      const state = await store.fixedWindow(key, params, 0);
      assert.equal(state.allowed, true, `${JSON.stringify(key)} was counted as another client`);
    }
  });
});

describe("slidingWindow", () => {
  test("allows up to the limit within one window and stores its state with a TTL", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const params = { limit: 4, windowMs: 60_000, cost: 1 };
    let allowed = 0;
    for (let i = 0; i < 6; i++) if ((await store.slidingWindow("sw-basic", params, 0)).allowed) allowed++;
    // Across an aligned minute boundary the previous minute's weight still counts, so never more than 4.
    assert.equal(allowed, 4);
    const ttl = await shared.redis!.pttl(`${prefix}{sw-basic}:sw`);
    assert.ok(ttl > 0 && ttl <= 120_000, `pttl ${ttl}`);
  });

  test("the previous window's weight decays, and retryAfterMs is long enough to pass again", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const windowMs = 400;
    const params = { limit: 10, windowMs, cost: 1 };
    // Start right after an aligned boundary so all 10 land in one window.
    await sleep(windowMs - (Date.now() % windowMs) + 5);
    for (let i = 0; i < 10; i++) assert.equal((await store.slidingWindow("sw-decay", params, 0)).allowed, true);
    const denied = await store.slidingWindow("sw-decay", params, 0);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs > 0 && denied.retryAfterMs <= 2 * windowMs, `retryAfterMs ${denied.retryAfterMs}`);
    await sleep(denied.retryAfterMs + 10);
    assert.equal((await store.slidingWindow("sw-decay", params, 0)).allowed, true, "retryAfterMs must be enough to pass");
  });
});

describe("tokenBucket", () => {
  test("takes tokens until empty, then refills continuously at refillRate per interval", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // One token a second: slow enough that a loaded machine's delays between calls refill nothing whole.
    const params = { capacity: 3, refillRate: 1, intervalMs: 1_000, requested: 1 };
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) remaining.push((await store.tokenBucket("tb-basic", params, 0)).remaining);
    assert.deepEqual(remaining, [2, 1, 0]);
    const denied = await store.tokenBucket("tb-basic", params, 0);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs > 0 && denied.retryAfterMs <= 1_000, `retryAfterMs ${denied.retryAfterMs}`);
    await sleep(denied.retryAfterMs + 20);
    assert.equal((await store.tokenBucket("tb-basic", params, 0)).allowed, true, "retryAfterMs must be enough to pass");
  });

  test("the key expires when the bucket would be full again", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const state = await store.tokenBucket("tb-ttl", { capacity: 10, refillRate: 1, intervalMs: 1_000, requested: 3 }, 0);
    assert.equal(state.resetMs, 3_000);
    const ttl = await shared.redis!.pttl(`${prefix}{tb-ttl}:tb`);
    assert.ok(ttl > 2_000 && ttl <= 3_000, `pttl ${ttl}`);
  });

  test("a bucket that takes ages to fill (capacity 2e9, 1 token a day) still gets a TTL and a decision", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // The fill time, 1.7e17 ms, once reached PEXPIRE as "1.728e+17": an error after the tokens were taken.
    const params = { capacity: 2_000_000_000, refillRate: 1, intervalMs: DAY_MS, requested: 2_000_000_000 };
    const state = await store.tokenBucket("tb-ages", params, 0);
    assert.deepEqual([state.allowed, state.remaining, state.resetMs], [true, 0, 2_000_000_000 * DAY_MS]);
    assert.ok((await shared.redis!.pttl(`${prefix}{tb-ages}:tb`)) > 0, "the key must keep a TTL");
    assert.equal((await store.tokenBucket("tb-ages", { ...params, requested: 1 }, 0)).allowed, false);
  });

  test("a fill or retry time past 2^63 ms is still a wait of ages, not 0 (Redis's integer reply overflowed)", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // Capacity 1e12 at one token a day fills in 8.64e19 ms; such a reply came back as -2^63, read as 0.
    const params = { capacity: 1_000_000_000_000, refillRate: 1, intervalMs: DAY_MS, requested: 1_000_000_000_000 };
    const taken = await store.tokenBucket("tb-overflow", params, 0);
    assert.equal(taken.allowed, true);
    assert.ok(taken.resetMs >= 1e18, `resetMs ${taken.resetMs}`);
    const denied = await store.tokenBucket("tb-overflow", params, 0);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs >= 1e18 && denied.resetMs >= 1e18, `retryAfterMs ${denied.retryAfterMs}, resetMs ${denied.resetMs}`);
  });

  test("a bucket written by a clock years ahead refills after at most its fill time once the clock is right", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // As if a node whose clock was ten years ahead had served the key before a failover: last refill in the future.
    const params = { capacity: 2, refillRate: 1, intervalMs: 1_000, requested: 1 };
    const key = `${prefix}{tb-ahead}:tb`;
    await shared.redis!.hset(key, "t", 0, "ts", Date.now() + 10 * 365 * DAY_MS);
    await shared.redis!.pexpire(key, 10 * 365 * DAY_MS);
    const denied = await store.tokenBucket("tb-ahead", params, 0);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs <= 3_000, `retryAfterMs ${denied.retryAfterMs}: at most the fill time (2 s) and one token`);
    assert.ok((await shared.redis!.pttl(key)) <= 4_000, "the key's TTL follows");
    // The bound was stored: a second denial does not push it further away.
    const again = await store.tokenBucket("tb-ahead", params, 0);
    assert.ok(again.retryAfterMs <= denied.retryAfterMs, `retryAfterMs ${again.retryAfterMs} after ${denied.retryAfterMs}`);
    await sleep(again.retryAfterMs + 20);
    assert.equal((await store.tokenBucket("tb-ahead", params, 0)).allowed, true);
  });

  test("asking for more than is left is denied without taking anything", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const base = { capacity: 5, refillRate: 1, intervalMs: 60_000 };
    await store.tokenBucket("tb-partial", { ...base, requested: 4 }, 0);
    const denied = await store.tokenBucket("tb-partial", { ...base, requested: 2 }, 0);
    assert.deepEqual([denied.allowed, denied.remaining], [false, 1]);
    const fits = await store.tokenBucket("tb-partial", { ...base, requested: 1 }, 0);
    assert.deepEqual([fits.allowed, fits.remaining], [true, 0]);
  });
});

describe("a client made with ioredis's stringNumbers: true", () => {
  test("gets the same decisions: its integer replies arrive as strings", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    // An app may share its own client, set up for counters beyond 2^53; every decision used to fail (open by default).
    const client = new Redis(SHARED_REDIS_URL, { stringNumbers: true, maxRetriesPerRequest: 1 });
    try {
      const strings = new RedisStore({ client, prefix, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
      const window = { limit: 2, windowMs: DAY_MS, cost: 1 };
      const bucket = { capacity: 2, refillRate: 1, intervalMs: DAY_MS, requested: 1 };
      for (const [name, decide] of [
        ["fixedWindow", () => strings.fixedWindow("string-numbers", window, 0)],
        ["slidingWindow", () => strings.slidingWindow("string-numbers", window, 0)],
        ["tokenBucket", () => strings.tokenBucket("string-numbers", bucket, 0)],
      ] as const) {
        const answers = [await decide(), await decide(), await decide()];
        assert.deepEqual(
          answers.map((a) => [a.allowed, a.remaining]),
          [
            [true, 1],
            [true, 0],
            [false, 0],
          ],
          name,
        );
        assert.ok(answers[2]!.retryAfterMs > 0 && typeof answers[2]!.retryAfterMs === "number", name);
      }
    } finally {
      client.disconnect();
    }
  });
});

describe("state written by a clock that was wrong", () => {
  const MINUTE = 60_000;
  const redisNow = async () => {
    const [seconds, micros] = await shared.redis!.time();
    return Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
  };

  test("a fixed-window counter set years ahead is replaced, not kept as a lockout for years", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await shared.redis!.set(`${prefix}{fw-ahead}:fw`, 5, "PX", 10 * 365 * DAY_MS);
    const state = await store.fixedWindow("fw-ahead", { limit: 2, windowMs: MINUTE, cost: 1 }, 0);
    assert.deepEqual([state.allowed, state.remaining], [true, 1]);
    assert.ok((await shared.redis!.pttl(`${prefix}{fw-ahead}:fw`)) <= MINUTE);
  });

  test("a fixed-window counter of the next window (a clock one step behind) is kept", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await shared.redis!.set(`${prefix}{fw-next}:fw`, 2, "PX", MINUTE + 30_000);
    assert.equal((await store.fixedWindow("fw-next", { limit: 2, windowMs: MINUTE, cost: 1 }, 0)).allowed, false);
  });

  test("a sliding window stored years ahead starts afresh; the next window is counted in full", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const params = { limit: 2, windowMs: DAY_MS, cost: 1 };
    const index = Math.floor((await redisNow()) / DAY_MS);
    await shared.redis!.hset(`${prefix}{sw-ahead}:sw`, "w", index + 3_650, "c", 2, "p", 0);
    await shared.redis!.hset(`${prefix}{sw-next}:sw`, "w", index + 1, "c", 2, "p", 0);
    assert.equal((await store.slidingWindow("sw-ahead", params, 0)).allowed, true);
    assert.equal((await store.slidingWindow("sw-next", params, 0)).allowed, false);
  });
});

describe("bad parameters from a rule", () => {
  test("are rejected with INVALID_OPTION before anything reaches Redis", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await assert.rejects(store.fixedWindow("bad", { limit: -1, windowMs: 1_000, cost: 1 }, 0), { code: "PARAPET_E_INVALID_OPTION" });
    await assert.rejects(store.slidingWindow("bad", { limit: 1, windowMs: Number.NaN, cost: 1 }, 0), { code: "PARAPET_E_INVALID_OPTION" });
    await assert.rejects(store.tokenBucket("bad", { capacity: 1, refillRate: 0, intervalMs: 1, requested: 1 }, 0), {
      code: "PARAPET_E_INVALID_OPTION",
    });
    await assert.rejects(store.fixedWindow("bad", { limit: 1, windowMs: 1_000, cost: 1.5 }, 0), { code: "PARAPET_E_INVALID_OPTION" });
    assert.equal((await shared.redis!.keys(`${prefix}{bad}*`)).length, 0);
  });
});

describe("same answers as the core's MemoryStore", () => {
  // Within one day-long window (or a bucket refilling 1 token a day) time does
  // not move the answers, so any sequence of costs must give both stores the
  // same allowed/remaining sequence: the counting semantics are shared.
  const DAY_PARAMS = { fixedWindow: { limit: 20, windowMs: DAY_MS }, slidingWindow: { limit: 20, windowMs: DAY_MS } };
  let run = 0;
  test("for random cost sequences, on all three algorithms", async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 30 }), async (costs) => {
        run++;
        const memory = new MemoryStore();
        const now = Date.now();
        for (const cost of costs) {
          for (const algorithm of ["fixedWindow", "slidingWindow"] as const) {
            const params = { ...DAY_PARAMS[algorithm], cost };
            const fromRedis = await store[algorithm](`eq-${algorithm}-${run}`, params, now);
            const fromMemory = await memory[algorithm](`eq-${algorithm}-${run}`, params, now);
            assert.deepEqual([fromRedis.allowed, fromRedis.remaining], [fromMemory.allowed, fromMemory.remaining], `${algorithm} ${costs}`);
          }
          const bucket = { capacity: 20, refillRate: 1, intervalMs: DAY_MS, requested: cost };
          const fromRedis = await store.tokenBucket(`eq-tb-${run}`, bucket, now);
          const fromMemory = await memory.tokenBucket(`eq-tb-${run}`, bucket, now);
          assert.deepEqual([fromRedis.allowed, fromRedis.remaining], [fromMemory.allowed, fromMemory.remaining], `tokenBucket ${costs}`);
        }
      }),
      { numRuns: 40 },
    );
  });
});
