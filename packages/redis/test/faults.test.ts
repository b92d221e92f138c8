/**
 * Fault injection against a redis-server this test starts itself: a hung
 * Redis (SIGSTOP), a dead one (SIGKILL) and its return on the same port with
 * an empty script cache. Through all of it every call must settle within the
 * timeout plus a margin, with a store error the client's `onError` policy
 * turns into an answer, and service must resume once Redis is back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Decision, fixedWindow, parapet, silentLogger } from "@parapet/core";
import { RedisStore } from "../src/index.js";
import { missingRedisBinaries, type RedisServer, startRedisServer } from "./support/redis-server.js";

// Above the 50 ms default because this suite shares 2 CI cores with the
// 8-process exactness test: a healthy call must not time out from CPU
// starvation alone. Run alone, calls settle within 50 ms + ~1 ms (see README).
const TIMEOUT_MS = 200;
// Generous for a loaded machine; what matters is that nothing waits for Redis itself.
const MARGIN_MS = 300;
const STORE_ERRORS = new Set(["PARAPET_E_STORE_TIMEOUT", "PARAPET_E_STORE_FAILED"]);
const LANES = 8;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);

const skip = missingRedisBinaries() ?? false;
let server: RedisServer | undefined;
let store: RedisStore;

interface Outcome {
  readonly latencyMs: number;
  readonly result: "allowed" | "denied" | string;
}

/** Calls the store from several lanes for `ms`, until `stopWhen` holds if given. */
async function drive(ms: number, stopWhen?: (outcome: Outcome) => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + ms;
  let stop = false;
  async function lane(): Promise<void> {
    while (!stop && performance.now() < deadline) {
      const started = performance.now();
      let result: string;
      try {
        const state = await store.fixedWindow("faults", { limit: 1_000_000_000, windowMs: 86_400_000, cost: 1 }, 0);
        result = state.allowed ? "allowed" : "denied";
      } catch (error) {
        result = (error as { code?: string }).code ?? String(error);
      }
      const outcome = { latencyMs: performance.now() - started, result };
      outcomes.push(outcome);
      if (stopWhen?.(outcome)) stop = true;
      // Yield to timers between calls: fast failures must not starve the event loop.
      await sleep(2);
    }
  }
  await Promise.all(Array.from({ length: LANES }, lane));
  return outcomes;
}

function slowest(outcomes: readonly Outcome[]): number {
  return Math.max(...outcomes.map((o) => o.latencyMs));
}

describe("RedisStore under faults", { concurrency: false }, () => {
  before(async () => {
    if (skip) return;
    server = await startRedisServer();
    store = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: "parapet-faults:",
      timeoutMs: TIMEOUT_MS,
      circuitBreaker: { failureThreshold: 3, cooldownMs: 200 },
      denyCache: false,
      logger: silentLogger,
    });
    // Connect first: the phases below are about a Redis failing, not about start-up.
    await drive(10_000, (o) => o.result === "allowed");
  });

  after(async () => {
    await store?.close();
    await server?.stop();
    process.off("unhandledRejection", onUnhandled);
  });

  test("a healthy Redis answers every call", async (t) => {
    if (skip) return t.skip(skip);
    const outcomes = await drive(300);
    assert.ok(outcomes.length > 0);
    assert.deepEqual(new Set(outcomes.map((o) => o.result)), new Set(["allowed"]));
  });

  test("a hung Redis (SIGSTOP): answered within the timeout, the circuit opens, service resumes after SIGCONT", async (t) => {
    if (skip) return t.skip(skip);
    server!.pause();
    const during = await drive(1_000);
    t.diagnostic(`hung: ${during.length} calls, slowest ${slowest(during).toFixed(1)} ms`);
    assert.ok(
      during.every((o) => STORE_ERRORS.has(o.result)),
      `unexpected results: ${[...new Set(during.map((o) => o.result))]}`,
    );
    assert.ok(slowest(during) < TIMEOUT_MS + MARGIN_MS, `slowest call ${slowest(during)} ms`);
    // The breaker makes most calls fail at once instead of each waiting out the timeout.
    const waited = during.filter((o) => o.latencyMs >= TIMEOUT_MS).length;
    assert.ok(waited < during.length / 2, `${waited} of ${during.length} calls waited for the timeout`);
    assert.equal(store.circuitState === "closed", false);

    server!.resume();
    const recovery = await drive(5_000, (o) => o.result === "allowed");
    assert.equal(recovery.at(-1)?.result, "allowed", "service must resume once Redis answers again");
    assert.ok(slowest(recovery) < TIMEOUT_MS + MARGIN_MS);
  });

  test("a dead Redis (SIGKILL), then restarted empty: fails fast, then resumes (NOSCRIPT falls back to EVAL)", async (t) => {
    if (skip) return t.skip(skip);
    await server!.kill();
    const during = await drive(800);
    t.diagnostic(`dead: ${during.length} calls, slowest ${slowest(during).toFixed(1)} ms`);
    assert.ok(
      during.every((o) => STORE_ERRORS.has(o.result)),
      `unexpected results: ${[...new Set(during.map((o) => o.result))]}`,
    );
    assert.ok(slowest(during) < TIMEOUT_MS + MARGIN_MS, `slowest call ${slowest(during)} ms`);

    await server!.restart();
    const recovery = await drive(8_000, (o) => o.result === "allowed");
    assert.equal(recovery.at(-1)?.result, "allowed", "service must resume once Redis is back");
    assert.ok(slowest(recovery) < TIMEOUT_MS + MARGIN_MS);
  });

  test("through parapet(): onError open lets the request through, closed answers 503, both name the store error", async (t) => {
    if (skip) return t.skip(skip);
    const rules = [fixedWindow({ max: 100, window: "1m" })];
    const open = parapet({ rules, store, onError: "open", logger: silentLogger });
    const closed = parapet({ rules, store, onError: "closed", logger: silentLogger });
    const request = { method: "GET", url: "http://example.test/", headers: {}, ip: "203.0.113.9" };
    const healthy = await open.protect(request);
    assert.equal(healthy.conclusion, "ALLOW");

    server!.pause();
    try {
      const decisions: Array<[Decision, Decision]> = [];
      for (let i = 0; i < 6; i++) decisions.push([await open.protect(request), await closed.protect(request)]);
      for (const [whenOpen, whenClosed] of decisions) {
        assert.equal(whenOpen.isErrored(), true);
        assert.equal(whenOpen.isDenied(), false);
        assert.equal(whenClosed.isDenied(), true);
        assert.equal(whenClosed.status, 503);
        const code = (whenOpen.reason as { code?: string }).code;
        assert.ok(code !== undefined && STORE_ERRORS.has(code), `reason ${JSON.stringify(whenOpen.reason)}`);
        assert.ok(whenOpen.durationMs < TIMEOUT_MS + MARGIN_MS);
      }
    } finally {
      server!.resume();
    }
  });

  test("no unhandled rejection escaped, even from replies that arrived after their timeout", async (t) => {
    if (skip) return t.skip(skip);
    // Let late replies from the resumed server arrive and settle.
    await sleep(200);
    assert.deepEqual(unhandled, []);
  });
});
