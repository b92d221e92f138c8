import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, fixedWindow, MemoryStore, parapet, type Store, silentLogger } from "../src/index.js";
import { manualClock, plainRequest, throwingRule } from "./helpers.js";

const isPromise = (value: unknown): value is Promise<Decision> => value instanceof Promise;

/** A store whose every step answers a tick later, like Redis. */
function laterStore(): Store {
  const inner = new MemoryStore();
  return {
    fixedWindow: (key, params, now) => new Promise((resolve) => setImmediate(() => resolve(inner.fixedWindow(key, params, now)))),
    slidingWindow: (key, params, now) => Promise.resolve(inner.slidingWindow(key, params, now)),
    tokenBucket: (key, params, now) => Promise.resolve(inner.tokenBucket(key, params, now)),
  };
}

describe("decide(): the decision without a promise when no rule waits", () => {
  it("returns the decision itself when every rule answers at once, and counts like protect()", async () => {
    // On a minute boundary (fixed windows are aligned to the epoch): the whole 60 s are left.
    const clock = manualClock(1_700_000_040_000);
    const guard = parapet({ rules: [fixedWindow({ max: 2, window: "60s" })], clock, logger: silentLogger });
    const first = guard.decide(plainRequest());
    assert.ok(!isPromise(first), "a memory-store rate limit decides synchronously");
    assert.equal(first.conclusion, "ALLOW");
    assert.equal(first.headers.RateLimit, '"fixed-60s";r=1;t=60');
    // decide() and protect() share the counter: the third request of either is denied.
    assert.equal((await guard.protect(plainRequest())).conclusion, "ALLOW");
    const third = guard.decide(plainRequest());
    assert.ok(!isPromise(third));
    assert.equal(third.conclusion, "DENY");
    assert.equal(third.status, 429);
  });

  it("returns a promise from the first rule that waits on, and that promise resolves to the decision", async () => {
    const guard = parapet({ rules: [fixedWindow({ max: 1, window: "60s" })], store: laterStore(), logger: silentLogger });
    const pending = guard.decide(plainRequest());
    assert.ok(isPromise(pending), "a store that answers later makes decide() wait");
    assert.equal((await pending).conclusion, "ALLOW");
    const second = guard.decide(plainRequest());
    assert.ok(isPromise(second));
    assert.equal((await second).conclusion, "DENY");
  });

  it("never throws: a throwing rule and an unreadable request are decisions", () => {
    const throwing = throwingRule();
    const guard = parapet({ rules: [throwing], logger: silentLogger, onError: "closed" });
    const decided = guard.decide(plainRequest());
    assert.ok(!isPromise(decided));
    assert.equal(decided.conclusion, "ERROR");
    assert.equal(decided.status, 503);
    const garbage = guard.decide(null as never);
    assert.ok(!isPromise(garbage));
    assert.equal(garbage.conclusion, "ERROR");
  });

  it("protect() still always returns a promise, also when every rule answered at once", async () => {
    const guard = parapet({ rules: [fixedWindow({ max: 5, window: "60s" })], logger: silentLogger });
    const returned = guard.protect(plainRequest());
    assert.ok(isPromise(returned));
    assert.equal((await returned).conclusion, "ALLOW");
  });

  it("a client made by withRule() decides the same way", async () => {
    const guard = parapet({ rules: [fixedWindow({ max: 5, window: "60s" })], logger: silentLogger });
    const stricter = guard.withRule(fixedWindow({ max: 1, window: "10s" }));
    const first = stricter.decide(plainRequest());
    assert.ok(!isPromise(first));
    assert.equal(first.conclusion, "ALLOW");
    const second = stricter.decide(plainRequest());
    assert.ok(!isPromise(second));
    assert.equal(second.conclusion, "DENY");
  });
});
