import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  fixedWindow,
  parapet,
  type Rule,
  type RuleResult,
  rateLimitHeaders,
  silentLogger,
  slidingWindow,
  tokenBucket,
} from "../src/index.js";
import { manualClock, plainRequest } from "./helpers.js";

// 20 s into a minute.
const T0 = 1_700_000_040_000 + 20_000;

describe("RateLimit headers (draft-ietf-httpapi-ratelimit-headers)", () => {
  it("sends the policy and the remaining quota when allowed, without Retry-After", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 10, window: "1m", name: "api" })], clock: manualClock(T0), logger: silentLogger });
    const decision = await p.protect(plainRequest());
    assert.deepEqual(decision.headers, { "RateLimit-Policy": '"api";q=10;w=60', RateLimit: '"api";r=9;t=40' });
  });

  it("adds Retry-After in whole seconds when denied", async () => {
    const clock = manualClock(T0);
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], clock, logger: silentLogger });
    await p.protect(plainRequest());
    clock.advance(500);
    const decision = await p.protect(plainRequest());
    assert.equal(decision.status, 429);
    assert.deepEqual(decision.headers, {
      "RateLimit-Policy": '"fixed-60s";q=1;w=60',
      RateLimit: '"fixed-60s";r=0;t=40',
      "Retry-After": "40",
    });
  });

  it("lists every policy and reports the one closest to its limit", async () => {
    const p = parapet({
      rules: [
        fixedWindow({ max: 100, window: "1h", name: "hourly" }),
        tokenBucket({ refillRate: 1, interval: "1s", capacity: 5, name: "burst" }),
      ],
      clock: manualClock(T0),
      logger: silentLogger,
    });
    const decision = await p.protect(plainRequest(), { requested: 4 });
    // A token bucket's window is the time an empty bucket takes to fill: 5 tokens at 1 per second, 5 s.
    assert.equal(decision.headers["RateLimit-Policy"], '"hourly";q=100;w=3600, "burst";q=5;w=5');
    assert.equal(decision.headers.RateLimit, '"burst";r=1;t=4');
  });

  it("advertises a token bucket's sustained rate in whole seconds, also when it fills in under one", async () => {
    const policyOf = async (rule: Rule) =>
      (await parapet({ rules: [rule], clock: manualClock(T0), logger: silentLogger }).protect(plainRequest())).headers["RateLimit-Policy"];
    // Fills in 0.5 s at 10 per second: the fill time rounded up to 1 s made it q=5;w=1, half the real rate.
    assert.equal(await policyOf(tokenBucket({ refillRate: 10, interval: "1s", capacity: 5, name: "b" })), '"b";q=10;w=1');
    assert.equal(await policyOf(tokenBucket({ refillRate: 1, interval: "100ms", capacity: 5, name: "b" })), '"b";q=10;w=1');
    // A fill time in whole seconds keeps q the burst; otherwise the shortest whole window at least that long.
    assert.equal(await policyOf(tokenBucket({ refillRate: 10, interval: "1s", capacity: 50, name: "b" })), '"b";q=50;w=5');
    assert.equal(await policyOf(tokenBucket({ refillRate: 3, interval: "1s", capacity: 5, name: "b" })), '"b";q=6;w=2');
    assert.equal(await policyOf(tokenBucket({ refillRate: 1, interval: "1500ms", capacity: 5, name: "b" })), '"b";q=6;w=9');
    // Windows that are not whole seconds: the same rate, never a longer window than stated.
    assert.equal(await policyOf(fixedWindow({ max: 10, window: "500ms", name: "w" })), '"w";q=20;w=1');
    assert.equal(await policyOf(fixedWindow({ max: 10, window: "1500ms", name: "w" })), '"w";q=20;w=3');
    assert.equal(await policyOf(slidingWindow({ max: 100, window: "1h", name: "w" })), '"w";q=100;w=3600');
  });

  it("escapes a policy name into a valid structured-field string", () => {
    const result: RuleResult = {
      ruleId: "RATE_LIMIT:x",
      ruleType: "RATE_LIMIT",
      mode: "LIVE",
      conclusion: "ALLOW",
      durationMs: 0,
      reason: {
        type: "RATE_LIMIT",
        message: "",
        algorithm: "fixedWindow",
        limit: 1,
        remaining: 1,
        resetSeconds: 1,
        windowSeconds: 1,
        policy: 'a"b\\c\n',
      } as RuleResult["reason"],
    };
    assert.equal(rateLimitHeaders([result], false)["RateLimit-Policy"], '"a\\"b\\\\c";q=1;w=1');
  });

  it("sends no rate-limit headers when no rate-limit rule ran", async () => {
    const p = parapet({ rules: [], logger: silentLogger });
    assert.deepEqual((await p.protect(plainRequest())).headers, {});
  });
});
