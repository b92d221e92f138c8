/**
 * close() on a store that owns its connection (made from `url`), against the
 * shared Redis: decisions already started when close() is called must get
 * their answer, not a "Connection is closed" failure.
 */
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { silentLogger } from "@parapet/core";
import { RedisStore } from "../src/index.js";
import type { WorkerMessage } from "./support/close-worker.js";
import { missingRedisBinaries, type RedisServer, startRedisServer } from "./support/redis-server.js";
import { SHARED_REDIS_URL, useSharedRedis } from "./support/shared-redis.js";

const shared = useSharedRedis("close");
const prefix = shared.prefix;

test("close() lets the decisions already started finish before it quits the connection", async (t) => {
  if (shared.skip) return t.skip(shared.skip);
  const store = new RedisStore({ url: SHARED_REDIS_URL, prefix, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
  const params = { limit: 1_000, windowMs: 60_000, cost: 1 };
  await store.fixedWindow("warm", params, 0); // connected and the script cached: only close() is under test
  // Started in the same turn as close(), as in a server shutting down with requests in flight: ioredis
  // had not sent them yet when QUIT went out, so every one failed.
  const started = [
    ...Array.from({ length: 10 }, () => store.fixedWindow("in-flight", params, 0)),
    ...Array.from({ length: 5 }, () => store.slidingWindow("in-flight", params, 0)),
    ...Array.from({ length: 5 }, () => store.tokenBucket("in-flight", { capacity: 10, refillRate: 1, intervalMs: 1_000, requested: 1 }, 0)),
  ];
  const closed = store.close();
  const outcomes = await Promise.allSettled(started);
  await closed;
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as Error).message] : []));
  assert.deepEqual(failures, [], "calls started before close() must be answered");
  assert.equal(await shared.redis!.get(`${prefix}{in-flight}:fw`), "10");
  // Once closed, new calls are refused, as before.
  await assert.rejects(store.fixedWindow("after", params, 0), { code: "PARAPET_E_STORE_FAILED", message: /closed/ });
});

test("close() with a call stuck on a hung Redis still returns within its grace period", async (t) => {
  const missing = missingRedisBinaries();
  if (missing) return t.skip(missing);
  const server = await startRedisServer();
  try {
    // A long timeout: the wait for calls in flight must be bounded by close() itself, not by timeoutMs.
    const store = new RedisStore({ url: `redis://127.0.0.1:${server.port}`, timeoutMs: 60_000, denyCache: false, logger: silentLogger });
    const params = { limit: 10, windowMs: 60_000, cost: 1 };
    await store.fixedWindow("warm", params, 0);
    server.pause();
    // Watched from the start: close() now returns once the socket is closed, so the call has failed by then.
    const stuck = assert.rejects(store.fixedWindow("stuck", params, 0), { code: "PARAPET_E_STORE_FAILED" });
    const started = performance.now();
    await store.close();
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 1_500, `close() took ${tookMs} ms`);
    await stuck;
  } finally {
    await server.stop();
  }
});

/**
 * Closes a store in a child process after `breakRedis`, and returns how long close() took, what it left
 * active, and how long the process then took to exit.
 */
async function closeInChild(server: RedisServer, breakRedis: () => unknown) {
  const child = fork(new URL("./support/close-worker.js", import.meta.url), [String(server.port)], { stdio: "ignore" });
  const exited = once(child, "exit");
  try {
    const [ready] = (await once(child, "message")) as [WorkerMessage];
    assert.equal(ready.type, "ready");
    await breakRedis();
    child.send("close");
    const [closed] = (await once(child, "message")) as [WorkerMessage];
    assert.equal(closed.type, "closed");
    const closedAt = performance.now();
    await exited;
    return { ...(closed as Extract<WorkerMessage, { type: "closed" }>), exitMs: performance.now() - closedAt };
  } finally {
    child.kill("SIGKILL");
  }
}

for (const [what, breakRedis] of [
  ["dead (killed, the client reconnecting)", (server: RedisServer) => server.kill()],
  ["hung (SIGSTOP, the socket open and silent)", (server: RedisServer) => server.pause()],
] as const) {
  test(`after close() on a ${what} Redis nothing of the client keeps the process alive`, async (t) => {
    const missing = missingRedisBinaries();
    if (missing) return t.skip(missing);
    const server = await startRedisServer();
    try {
      const { closeMs, active, exitMs } = await closeInChild(server, () => breakRedis(server));
      t.diagnostic(`close() ${closeMs.toFixed(0)} ms, exit ${exitMs.toFixed(0)} ms later, active after close: ${active.join(", ")}`);
      // ioredis's disconnect() armed a 2 s timer to destroy the socket: the process outlived close() by 2 s.
      assert.deepEqual(active, [], "close() must leave no timer or socket");
      assert.ok(exitMs < 500, `the process exited ${exitMs.toFixed(0)} ms after close()`);
      assert.ok(closeMs < 1_500, `close() took ${closeMs.toFixed(0)} ms`);
    } finally {
      await server.stop();
    }
  });
}
