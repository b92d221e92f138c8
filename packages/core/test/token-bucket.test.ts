import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStore, parapet, type RateLimitReason, silentLogger, tokenBucket } from "../src/index.js";
import { manualClock, plainRequest } from "./helpers.js";

function client() {
  const clock = manualClock();
  // 2 tokens per second, bursts of 10.
  const p = parapet({ rules: [tokenBucket({ refillRate: 2, interval: "1s", capacity: 10 })], clock, logger: silentLogger });
  return { p, clock };
}

function reasonOf(decision: { results: readonly { reason: unknown }[] }): RateLimitReason {
  return decision.results[0]?.reason as RateLimitReason;
}

describe("tokenBucket", () => {
  it("starts full, spends `requested` tokens, and refills at the rate", async () => {
    const { p, clock } = client();
    assert.equal(reasonOf(await p.protect(plainRequest(), { requested: 4 })).remaining, 6);
    assert.equal(reasonOf(await p.protect(plainRequest(), { requested: 6 })).remaining, 0);
    const denied = await p.protect(plainRequest());
    assert.equal(denied.conclusion, "DENY");
    assert.equal((denied.reason as RateLimitReason).retryAfterSeconds, 1);
    clock.advance(500); // one token back
    assert.equal(reasonOf(await p.protect(plainRequest())).remaining, 0);
    assert.equal((await p.protect(plainRequest())).conclusion, "DENY");
  });

  it("does not take tokens for a denied request", async () => {
    const { p, clock } = client();
    await p.protect(plainRequest(), { requested: 9 });
    assert.equal((await p.protect(plainRequest(), { requested: 5 })).conclusion, "DENY");
    clock.advance(2_000); // 1 + 4 = 5 tokens
    assert.equal((await p.protect(plainRequest(), { requested: 5 })).conclusion, "ALLOW");
  });

  it("never holds more than its capacity after a long idle time", async () => {
    const { p, clock } = client();
    await p.protect(plainRequest(), { requested: 10 });
    clock.advance(3_600_000);
    const reason = reasonOf(await p.protect(plainRequest()));
    assert.equal(reason.remaining, 9);
    assert.equal(reason.resetSeconds, 0.5);
  });

  it("says how long until a larger request fits", async () => {
    const { p, clock } = client();
    await p.protect(plainRequest(), { requested: 10 });
    const denied = await p.protect(plainRequest(), { requested: 7 });
    assert.equal((denied.reason as RateLimitReason).retryAfterSeconds, 4); // 7 tokens at 2/s: 3.5 s
    clock.advance(3_499);
    assert.equal((await p.protect(plainRequest(), { requested: 7 })).conclusion, "DENY");
    clock.advance(1);
    assert.equal((await p.protect(plainRequest(), { requested: 7 })).conclusion, "ALLOW");
  });

  it("refills fractional tokens without losing one to rounding", async () => {
    const clock = manualClock();
    const p = parapet({ rules: [tokenBucket({ refillRate: 3, interval: "1s", capacity: 3 })], clock, logger: silentLogger });
    await p.protect(plainRequest(), { requested: 3 });
    for (const step of [333, 334, 333]) clock.advance(step);
    assert.equal((await p.protect(plainRequest(), { requested: 3 })).conclusion, "ALLOW");
  });

  // `requested` is often taken from the request (a batch size): an ERROR would fail open and let a client turn the
  // limit off by asking for too much or for "abc", so a call that can never be taken is denied, and takes nothing.
  for (const requested of [0, -1, 1.5, 11, "2", Number.NaN, null, Number.POSITIVE_INFINITY]) {
    it(`denies requested=${String(requested)} without taking tokens`, async () => {
      const { p } = client();
      const decision = await p.protect(plainRequest(), { requested });
      assert.equal(decision.conclusion, "DENY");
      assert.equal(decision.status, 429);
      assert.match(decision.reason.message, Number.isSafeInteger(requested) && (requested as number) > 10 ? /can never pass/ : /requested/);
      assert.equal(decision.headers["Retry-After"], undefined, "waiting cannot make it pass");
      // Nothing was taken: the whole capacity is still there.
      assert.equal((await p.protect(plainRequest(), { requested: 10 })).conclusion, "ALLOW");
    });
  }

  it("denies a batch larger than the capacity every time, even when the bucket is full", async () => {
    const { p } = client();
    for (let i = 0; i < 20; i++) assert.equal((await p.protect(plainRequest(), { requested: 11 })).conclusion, "DENY");
  });
});

describe("tokenBucket when the clock steps back", () => {
  const bucket = { capacity: 2, refillRate: 1, intervalMs: 1_000, requested: 1 };
  const T0 = 1_700_000_000_000;
  const TEN_YEARS = 10 * 365 * 86_400_000;

  it("refills nothing for a small step, and says when a token really comes back", async () => {
    const store = new MemoryStore();
    store.tokenBucket("k", bucket, T0);
    store.tokenBucket("k", bucket, T0);
    const denied = store.tokenBucket("k", bucket, T0 - 500);
    assert.deepEqual([denied.allowed, denied.retryAfterMs], [false, 1_500], "the token is back at T0 + 1s, 1.5 s after T0 - 500");
    assert.equal(store.tokenBucket("k", bucket, T0 + 999).allowed, false);
    assert.equal(store.tokenBucket("k", bucket, T0 + 1_000).allowed, true);
  });

  it("does not lock a bucket out for years after a clock that was years ahead is set right", async () => {
    const store = new MemoryStore();
    store.tokenBucket("k", bucket, T0 + TEN_YEARS); // the clock is wrong, then corrected
    store.tokenBucket("k", bucket, T0 + TEN_YEARS);
    const denied = store.tokenBucket("k", bucket, T0);
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs <= 3_000, `retryAfterMs ${denied.retryAfterMs}: at most a fill time (2 s) and one token`);
    // Every later call keeps the same bound: it does not move along with the clock.
    assert.equal(store.tokenBucket("k", bucket, T0 + 2_000).allowed, false);
    assert.equal(store.tokenBucket("k", bucket, T0 + 3_000).allowed, true, "one token refilled 1 s after the 2 s bound");
  });
});
