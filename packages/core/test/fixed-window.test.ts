import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixedWindow, MemoryStore, parapet, type RateLimitReason, silentLogger } from "../src/index.js";
import { manualClock, plainRequest, rateLimitReason } from "./helpers.js";

// A round minute, so windows of 1s and 60s both start here.
const T0 = 1_700_000_040_000;

function client(max: number, window: string) {
  const clock = manualClock(T0);
  const p = parapet({ rules: [fixedWindow({ max, window })], clock, logger: silentLogger, store: new MemoryStore() });
  return { p, clock };
}

describe("fixedWindow", () => {
  it("allows max requests, then denies until exactly the window boundary", async () => {
    const { p, clock } = client(3, "60s");
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const decision = await p.protect(plainRequest());
      assert.equal(decision.conclusion, "ALLOW");
      remaining.push(rateLimitReason(decision.results).remaining);
    }
    assert.deepEqual(remaining, [2, 1, 0]);
    clock.advance(59_999);
    const denied = await p.protect(plainRequest());
    assert.equal(denied.conclusion, "DENY");
    assert.equal(denied.status, 429);
    const reason = denied.reason as RateLimitReason;
    assert.equal(reason.retryAfterSeconds, 1);
    assert.equal(reason.resetSeconds, 0.001);
    clock.advance(1);
    const reset = await p.protect(plainRequest());
    assert.equal(reset.conclusion, "ALLOW");
    assert.equal(rateLimitReason(reset.results).remaining, 2);
  });

  it("does not count denied requests", async () => {
    const { p, clock } = client(2, "10s");
    await p.protect(plainRequest());
    await p.protect(plainRequest());
    for (let i = 0; i < 20; i++) assert.equal((await p.protect(plainRequest())).conclusion, "DENY");
    clock.advance(10_000);
    const results: string[] = [];
    for (let i = 0; i < 3; i++) results.push((await p.protect(plainRequest())).conclusion);
    assert.deepEqual(results, ["ALLOW", "ALLOW", "DENY"]);
  });

  it("counts each client separately", async () => {
    const { p } = client(1, "1m");
    assert.equal((await p.protect(plainRequest("198.51.100.1"))).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest("198.51.100.2"))).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest("198.51.100.1"))).conclusion, "DENY");
  });

  it("reports the algorithm, window and a default policy name", async () => {
    const { p } = client(5, "1m");
    const reason = (await p.protect(plainRequest())).results[0]?.reason as RateLimitReason;
    assert.equal(reason.type, "RATE_LIMIT");
    assert.equal(reason.algorithm, "fixedWindow");
    assert.equal(reason.limit, 5);
    assert.equal(reason.windowSeconds, 60);
    assert.equal(reason.policy, "fixed-60s");
    assert.equal(reason.retryAfterSeconds, undefined);
  });

  it("keeps two unnamed rules with different limits apart", async () => {
    const clock = manualClock(T0);
    const p = parapet({
      rules: [fixedWindow({ max: 5, window: "1m", mode: "DRY_RUN" }), fixedWindow({ max: 1, window: "1m" })],
      clock,
      logger: silentLogger,
    });
    await p.protect(plainRequest());
    const second = await p.protect(plainRequest());
    // Equal costs keep the given order: the max-5 rule runs first and must still have room.
    assert.equal(rateLimitReason(second.results, 0).limit, 5);
    assert.equal(rateLimitReason(second.results, 0).remaining, 3);
    assert.equal(second.conclusion, "DENY");
  });
});

describe("fixed and sliding windows when the clock steps back", () => {
  const params = { limit: 2, windowMs: 60_000, cost: 1 };
  const AT = T0 + 40_000; // 40 s into a minute: 30 s later is the next one
  const YEARS = 10 * 365 * 86_400_000;

  for (const algorithm of ["fixedWindow", "slidingWindow"] as const) {
    it(`${algorithm}: a step back across a boundary keeps the later window's count (as the Redis store does)`, () => {
      const store = new MemoryStore();
      store[algorithm]("k", params, AT + 30_000); // next minute
      store[algorithm]("k", params, AT + 30_000);
      assert.equal(store[algorithm]("k", params, AT).allowed, false, "the earlier minute started afresh: its requests were forgotten");
    });

    it(`${algorithm}: a clock that was years ahead does not hold the client at its limit for years`, () => {
      const store = new MemoryStore();
      store[algorithm]("k", params, AT + YEARS);
      store[algorithm]("k", params, AT + YEARS);
      assert.equal(store[algorithm]("k", params, AT + YEARS).allowed, false);
      assert.equal(store[algorithm]("k", params, AT).allowed, true);
    });
  }
});
