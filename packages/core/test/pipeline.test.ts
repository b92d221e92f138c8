import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AuthEvent,
  ErrorCodes,
  type ErrorReason,
  fixedWindow,
  MemoryStore,
  type Mode,
  ParapetError,
  parapet,
  type RateLimitState,
  type Rule,
  type RuleEvaluation,
  type Store,
  silentLogger,
  slidingWindow,
  tokenBucket,
} from "../src/index.js";
import { manualClock, plainRequest, throwingRule } from "./helpers.js";

function fakeRule(type: string, cost: number, conclusion: RuleEvaluation["conclusion"], log: string[], mode: Mode = "LIVE"): Rule {
  return {
    type,
    mode,
    cost,
    evaluate() {
      log.push(type);
      return { conclusion, reason: { type: "TEST", message: `${type} says ${conclusion}` } };
    },
  };
}

const failing = throwingRule();

describe("the decision pipeline", () => {
  it("runs rules cheapest first and stops at the first LIVE denial", async () => {
    const log: string[] = [];
    const p = parapet({
      rules: [fakeRule("C", 50, "ALLOW", log), fakeRule("A", 1, "ALLOW", log), fakeRule("B", 10, "DENY", log)],
      logger: silentLogger,
    });
    const decision = await p.protect(plainRequest());
    assert.deepEqual(log, ["A", "B"]);
    assert.equal(decision.conclusion, "DENY");
    assert.equal(decision.status, 403);
    assert.equal(decision.results.length, 2);
  });

  it("runs rules in order across synchronous and asynchronous answers, and stops at a denial after an await", async () => {
    const log: string[] = [];
    const later = (rule: Rule): Rule => ({
      ...rule,
      evaluate: (context) => new Promise((resolve) => setImmediate(() => resolve(rule.evaluate(context) as RuleEvaluation))),
    });
    const p = parapet({
      rules: [
        fakeRule("A", 1, "ALLOW", log),
        later(fakeRule("B", 2, "ALLOW", log)),
        fakeRule("C", 3, "ALLOW", log),
        later(fakeRule("D", 4, "DENY", log)),
        fakeRule("E", 5, "ALLOW", log),
      ],
      logger: silentLogger,
    });
    const decision = await p.protect(plainRequest());
    assert.deepEqual(log, ["A", "B", "C", "D"]);
    assert.deepEqual(
      decision.results.map((r) => `${r.ruleType}:${r.conclusion}`),
      ["A:ALLOW", "B:ALLOW", "C:ALLOW", "D:DENY"],
    );
    assert.equal(decision.conclusion, "DENY");
    assert.ok(decision.results.every((r) => r.durationMs >= 0));
  });

  it("neither throws nor rejects when the app's logger throws while a rule fails", async () => {
    const throwing = {
      debug() {},
      info() {},
      warn() {
        throw new Error("logger down");
      },
      error() {
        throw new Error("logger down");
      },
    };
    const observer = {
      onDecision() {
        throw new Error("observer down");
      },
    };
    const p = parapet({ rules: [failing], logger: throwing, observers: [observer] });
    const decision = await p.protect(plainRequest());
    assert.equal(decision.conclusion, "ERROR");
    assert.equal(decision.isDenied(), false, "fails open");
  });

  it("goes on past a DRY_RUN denial and reports it", async () => {
    const log: string[] = [];
    const p = parapet({ rules: [fakeRule("A", 1, "DENY", log, "DRY_RUN"), fakeRule("B", 2, "ALLOW", log)], logger: silentLogger });
    const decision = await p.protect(plainRequest());
    assert.deepEqual(log, ["A", "B"]);
    assert.equal(decision.isDenied(), false);
    assert.equal(decision.results[0]?.conclusion, "DENY");
    assert.equal(decision.results[0]?.mode, "DRY_RUN");
  });

  for (const rule of [
    () => fixedWindow({ max: 1, window: "1m", mode: "DRY_RUN" }),
    () => slidingWindow({ max: 1, window: "1m", mode: "DRY_RUN" }),
    () => tokenBucket({ refillRate: 1, interval: "1m", capacity: 1, mode: "DRY_RUN" }),
  ]) {
    it(`never denies with a DRY_RUN ${rule().name} rule`, async () => {
      const p = parapet({ rules: [rule()], logger: silentLogger });
      const decisions = [];
      for (let i = 0; i < 5; i++) decisions.push(await p.protect(plainRequest()));
      assert.ok(decisions.every((d) => d.isAllowed() && d.status === 200));
      assert.equal(decisions[4]?.results[0]?.conclusion, "DENY", "the rule still reports what it would have done");
      assert.equal(decisions[4]?.headers["Retry-After"], undefined);
    });
  }

  it('never denies under a client-level mode: "DRY_RUN", even for LIVE rules', async () => {
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], mode: "DRY_RUN", logger: silentLogger });
    await p.protect(plainRequest());
    const second = await p.protect(plainRequest());
    assert.equal(second.isDenied(), false);
    assert.equal(second.results[0]?.mode, "DRY_RUN");
    assert.equal(second.results[0]?.conclusion, "DENY");
  });

  it("turns a throwing rule into an ERROR that fails open by default", async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const p = parapet({ rules: [failing], logger });
    const decision = await p.protect(plainRequest());
    assert.equal(decision.conclusion, "ERROR");
    assert.equal(decision.isErrored(), true);
    assert.equal(decision.isDenied(), false);
    assert.equal(decision.status, 200);
    assert.equal((decision.reason as ErrorReason).code, ErrorCodes.RULE_FAILED);
    assert.match(decision.reason.message, /boom/);
    assert.equal(warnings.length, 1, "the error is logged");
  });

  it('denies with 503 when a rule throws under onError: "closed"', async () => {
    const p = parapet({ rules: [failing], onError: "closed", logger: silentLogger });
    const decision = await p.protect(plainRequest());
    assert.equal(decision.isDenied(), true);
    assert.equal(decision.status, 503);
  });

  it("gives the same answers whether a store answers directly, with a promise or with a bare thenable", async () => {
    const thenable = (state: RateLimitState): PromiseLike<RateLimitState> => ({
      // biome-ignore lint/suspicious/noThenProperty: a minimal thenable, as a hand-written store might return
      then: (onFulfilled) => Promise.resolve(onFulfilled ? onFulfilled(state) : state) as never,
    });
    const unused = () => Promise.reject(new Error("unused"));
    const wrap = (answer: (state: RateLimitState) => RateLimitState | PromiseLike<RateLimitState>): Store => {
      const backing = new MemoryStore();
      return {
        fixedWindow: (key, params, now) => answer(backing.fixedWindow(key, params, now) as RateLimitState) as Promise<RateLimitState>,
        slidingWindow: unused,
        tokenBucket: unused,
      };
    };
    const stores: Record<string, Store> = {
      direct: new MemoryStore(),
      promise: wrap((state) => Promise.resolve(state)),
      thenable: wrap(thenable),
    };
    const evaluated = fixedWindow({ max: 2, window: "1m" }).evaluate({
      request: { ip: "192.0.2.1", extra: {} } as never,
      store: new MemoryStore(),
      clock: manualClock(),
      now: 0,
      logger: silentLogger,
      key: () => "k",
    });
    assert.equal(typeof (evaluated as { then?: unknown }).then, "undefined", "a memory-store rule answers without a promise");
    for (const [kind, store] of Object.entries(stores)) {
      const p = parapet({ rules: [fixedWindow({ max: 2, window: "1m" })], store, clock: manualClock(), logger: silentLogger });
      const conclusions: string[] = [];
      for (let i = 0; i < 3; i++) conclusions.push((await p.protect(plainRequest())).conclusion);
      assert.deepEqual(conclusions, ["ALLOW", "ALLOW", "DENY"], kind);
    }
  });

  it("reports a store that rejects as STORE_FAILED, and a ParapetError from a store keeps its code", async () => {
    const rejecting: Store = {
      fixedWindow: () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")),
      slidingWindow: () => Promise.reject(new Error("unused")),
      tokenBucket: () => Promise.reject(new Error("unused")),
    };
    const p = parapet({ rules: [fixedWindow({ max: 5, window: "1m" })], store: rejecting, logger: silentLogger });
    const decision = await p.protect(plainRequest());
    assert.equal(decision.conclusion, "ERROR");
    assert.equal((decision.reason as ErrorReason).code, ErrorCodes.STORE_FAILED);
    assert.match(decision.reason.message, /ECONNREFUSED/);
    assert.equal(decision.isDenied(), false);

    const throwingSync: Store = {
      ...rejecting,
      fixedWindow: () => {
        throw new TypeError("not even a promise");
      },
    };
    const q = parapet({ rules: [fixedWindow({ max: 5, window: "1m" })], store: throwingSync, onError: "closed", logger: silentLogger });
    const closed = await q.protect(plainRequest());
    assert.equal((closed.reason as ErrorReason).code, ErrorCodes.STORE_FAILED);
    assert.equal(closed.status, 503);

    const timingOut: Store = {
      ...rejecting,
      fixedWindow: () => Promise.reject(new ParapetError(ErrorCodes.STORE_TIMEOUT, "redis did not answer in 50 ms")),
    };
    const r = parapet({ rules: [fixedWindow({ max: 5, window: "1m" })], store: timingOut, logger: silentLogger });
    assert.equal(((await r.protect(plainRequest())).reason as ErrorReason).code, ErrorCodes.STORE_TIMEOUT);
  });

  it("reports a missing characteristic as an error naming it", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 5, window: "1m", characteristics: ["userId"] })], logger: silentLogger });
    const decision = await p.protect(plainRequest());
    assert.equal((decision.reason as ErrorReason).code, ErrorCodes.CHARACTERISTIC_MISSING);
    assert.match(decision.reason.message, /userId/);
    assert.equal((await p.protect(plainRequest(), { userId: "u1" })).conclusion, "ALLOW");
  });

  it("counts by userId across IPs when asked to", async () => {
    const clock = manualClock();
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], characteristics: ["userId"], clock, store: new MemoryStore() });
    assert.equal((await p.protect(plainRequest("198.51.100.1"), { userId: "u1" })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest("198.51.100.2"), { userId: "u1" })).conclusion, "DENY");
  });

  it("judges a request at its arrival: the clock is read once, and every rate-limit rule counts at that instant", async () => {
    let reads = 0;
    let time = 1_700_000_000_000;
    const clock = {
      now: () => {
        reads++;
        return time;
      },
    };
    // A slow asynchronous rule between arrival and the limiters moves the clock on; they still count at arrival.
    const slowRule: Rule = {
      type: "SLOW",
      mode: "LIVE",
      cost: 0,
      evaluate: async () => {
        time += 59_999;
        return { conclusion: "ALLOW", reason: { type: "TEST", message: "slow" } };
      },
    };
    const limiters = () => [
      fixedWindow({ max: 5, window: "1m", name: "window" }),
      tokenBucket({ capacity: 5, refillRate: 1, interval: "1m" }),
    ];
    const p = parapet({ rules: [slowRule, ...limiters()], clock, logger: silentLogger, store: new MemoryStore() });
    const decision = await p.protect(plainRequest());
    assert.equal(reads, 1, "one clock read per protect() with three rules");
    assert.equal(decision.timestamp, 1_700_000_000_000);
    // The same limiters, alone, at a fixed instant: what the slow client's limiters said must be what they say at arrival.
    const limitersAt = async (instant: number) => {
      const alone = parapet({ rules: limiters(), clock: { now: () => instant }, logger: silentLogger, store: new MemoryStore() });
      return (await alone.protect(plainRequest())).results.map((result) => result.reason);
    };
    const limiterReasons = decision.results.filter((result) => result.ruleType === "RATE_LIMIT").map((result) => result.reason);
    assert.deepEqual(limiterReasons, await limitersAt(1_700_000_000_000));
    assert.notDeepEqual(limiterReasons, await limitersAt(1_700_000_000_000 + 59_999), "arrival and later instants must be told apart");
  });

  it("answers a clock reading that is no time (NaN, Infinity, a throw) with an ERROR under onError, not with limits switched off", async () => {
    const readings: Array<() => unknown> = [
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      () => 1e300,
      () => undefined,
      () => {
        throw new Error("clock source down");
      },
    ];
    for (const read of readings) {
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
      const clock = { now: read as () => number };
      const open = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], clock, logger });
      for (let i = 0; i < 3; i++) {
        const decision = await open.protect(plainRequest());
        // Before: ALLOW three times over a limit of 1, with `RateLimit: "fixed-60s";r=0;t=NaN`.
        assert.equal(decision.conclusion, "ERROR", String(read));
        assert.equal((decision.reason as ErrorReason).code, ErrorCodes.CLOCK_INVALID);
        assert.match(decision.reason.message, /clock/);
        assert.deepEqual(decision.headers, {});
        assert.ok(Number.isFinite(decision.timestamp));
      }
      assert.equal(warnings.length, 1, "logged once per interval, not once per request");
      const closed = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], clock, onError: "closed", logger: silentLogger });
      assert.equal((await closed.protect(plainRequest())).status, 503);
    }
  });

  it("stamps auth events with the system time when the clock gives no time, so none is lost or poisons a detector", async () => {
    for (const read of [
      () => Number.NaN,
      () => "soon",
      () => Number.NEGATIVE_INFINITY,
      () => {
        throw new Error("clock source down");
      },
    ]) {
      const events: AuthEvent[] = [];
      const warnings: string[] = [];
      const logger = {
        ...silentLogger,
        warn: (_message: string, fields?: Record<string, unknown>) => warnings.push(String(fields?.reason)),
      };
      const p = parapet({
        rules: [],
        clock: { now: read as () => number },
        logger,
        observers: [{ onDecision: () => {}, onAuthEvent: (e) => void events.push(e) }],
      });
      const before = Date.now();
      p.reportAuthFailure(plainRequest(), { user: "alice" });
      p.reportAuthSuccess(plainRequest(), { user: "alice" });
      // Before: a NaN stamp (or, for a throw, no event and "auth event observer threw").
      assert.deepEqual(
        events.map((e) => e.type),
        ["failure", "success"],
        String(read),
      );
      for (const event of events) assert.ok(event.timestamp >= before && event.timestamp <= Date.now(), String(event.timestamp));
      assert.equal(warnings.length, 1, "logged once per interval");
      assert.match(warnings[0] ?? "", /`clock` passed to parapet\(\) (returned|threw).*auth events are stamped with the system time/);
    }
  });

  it("shares the store with rules added by withRule", async () => {
    const base = parapet({ rules: [fixedWindow({ max: 1, window: "1m", name: "shared" })], logger: silentLogger });
    await base.protect(plainRequest());
    const log: string[] = [];
    const extended = base.withRule(fakeRule("EXTRA", 1, "ALLOW", log));
    const decision = await extended.protect(plainRequest());
    assert.deepEqual(log, ["EXTRA"]);
    assert.equal(decision.conclusion, "DENY");
  });
});
