import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCodes, fixedWindow, ParapetError, parapet, type Rule, slidingWindow, tokenBucket } from "../src/index.js";

function optionErrorMatching(pattern: RegExp) {
  return (error: unknown) => error instanceof ParapetError && error.code === ErrorCodes.INVALID_OPTION && pattern.test(error.message);
}

describe("options are validated loudly at construction", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["fixedWindow without options", () => fixedWindow(undefined as never), /fixedWindow options error: pass an options object/],
    ["fixedWindow max 0", () => fixedWindow({ max: 0, window: "1m" }), /`max` must be a positive integer/],
    ["fixedWindow max 2.5", () => fixedWindow({ max: 2.5, window: "1m" }), /`max`/],
    ["fixedWindow max as a string", () => fixedWindow({ max: "10" as never, window: "1m" }), /`max`.*got "10"/],
    ["fixedWindow without window", () => fixedWindow({ max: 1 } as never), /`window` is required/],
    ["fixedWindow fractional ms", () => fixedWindow({ max: 1, window: 1.5 }), /whole number of milliseconds/],
    ["slidingWindow bad mode", () => slidingWindow({ max: 1, window: "1s", mode: "live" as never }), /slidingWindow options error: `mode`/],
    ["slidingWindow name with a space", () => slidingWindow({ max: 1, window: "1s", name: "my api" }), /`name`/],
    ["slidingWindow empty characteristics", () => slidingWindow({ max: 1, window: "1s", characteristics: [] }), /`characteristics`/],
    [
      "slidingWindow bad characteristic",
      () => slidingWindow({ max: 1, window: "1s", characteristics: ["header:"] }),
      /`characteristics` entries/,
    ],
    [
      "tokenBucket refillRate 0",
      () => tokenBucket({ refillRate: 0, interval: "1s", capacity: 1 }),
      /tokenBucket options error: `refillRate`/,
    ],
    ["tokenBucket no capacity", () => tokenBucket({ refillRate: 1, interval: "1s" } as never), /`capacity`/],
    ["parapet without rules", () => parapet({} as never), /`rules` must be an array/],
    ["parapet with a non-rule", () => parapet({ rules: [{}] as unknown as Rule[] }), /rules\[0\] is not a rule/],
    ["parapet bad onError", () => parapet({ rules: [], onError: "fail" as never }), /`onError`/],
    ["parapet bad maxBodyBytes", () => parapet({ rules: [], maxBodyBytes: -1 }), /`maxBodyBytes`/],
    [
      "parapet with a store missing methods",
      () => parapet({ rules: [], store: { fixedWindow: async () => ({}) } as never }),
      /`store` must implement/,
    ],
    ["parapet with empty characteristics", () => parapet({ rules: [], characteristics: [] }), /`characteristics`/],
    ["parapet with a non-string characteristic", () => parapet({ rules: [], characteristics: [42] as never }), /`characteristics`/],
    ["withRule with a non-rule", () => parapet({ rules: [] }).withRule({} as Rule), /rules\[0\] is not a rule/],
    // setTimeout runs a longer timer after 1 ms: every body was cut at once.
    [
      "parapet bodyTimeoutMs past setTimeout's range",
      () => parapet({ rules: [], bodyTimeoutMs: 3_000_000_000 }),
      /`bodyTimeoutMs` must be at most/,
    ],
    // A clock without now() made every protect() throw into the app.
    ["parapet with a function as the clock", () => parapet({ rules: [], clock: (() => Date.now()) as never }), /`clock` must be an object/],
    ["parapet with a logger without warn()", () => parapet({ rules: [], logger: { error() {} } as never }), /`logger`/],
    ["parapet with observers that are not an array", () => parapet({ rules: [], observers: {} as never }), /`observers` must be an array/],
    ["parapet with an observer without onDecision()", () => parapet({ rules: [], observers: [{}] as never }), /observers\[0\]/],
    ["parapet with an inherited name as the platform", () => parapet({ rules: [], platform: "constructor" as never }), /unknown platform/],
  ];
  for (const [what, create, pattern] of cases) {
    it(`rejects ${what}`, () => assert.throws(create, optionErrorMatching(pattern)));
  }

  it("rejects proxies that are not an array of strings, saying so", () => {
    for (const proxies of ["10.0.0.1", [5]]) {
      assert.throws(
        () => parapet({ rules: [], proxies: proxies as never }),
        (error: unknown) =>
          error instanceof ParapetError && error.code === ErrorCodes.INVALID_PROXY && /must be an array of strings/.test(error.message),
        JSON.stringify(proxies),
      );
    }
  });

  it("takes the longest bodyTimeoutMs setTimeout honours", () => {
    assert.doesNotThrow(() => parapet({ rules: [], bodyTimeoutMs: 2_147_483_647 }));
  });

  it("rejects a malformed window as a duration error", () => {
    assert.throws(
      () => fixedWindow({ max: 1, window: "one minute" }),
      (error: unknown) =>
        error instanceof ParapetError && error.code === ErrorCodes.INVALID_DURATION && /fixedWindow `window`/.test(error.message),
    );
  });

  it("builds a rule with the documented defaults", () => {
    const rule = tokenBucket({ refillRate: 5, interval: "1m", capacity: 10 });
    assert.equal(rule.type, "RATE_LIMIT");
    assert.equal(rule.mode, "LIVE");
    assert.equal(rule.cost, 30);
    assert.equal(rule.name, "token-5-per-60s");
    assert.equal(slidingWindow({ max: 1, window: "1s", name: "api" }).name, "api");
  });
});
