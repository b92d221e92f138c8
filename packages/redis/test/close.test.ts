/**
 * close() on a store that owns its connection (made from `url`), against the
 * shared Redis: decisions already started when close() is called must get
 * their answer, not a "Connection is closed" failure.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { silentLogger } from "@parapet/core";
import type { Redis } from "ioredis";
import { RedisStore } from "../src/index.js";
import { missingRedisBinaries, startRedisServer } from "./support/redis-server.js";
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from "./support/shared-redis.js";

const prefix = uniquePrefix("close");
let redis: Redis | undefined;
let skip: string | false = false;

before(async () => {
  const connected = await connectShared();
  if (typeof connected === "string") skip = connected;
  else redis = connected;
});

after(async () => {
  if (!redis) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

test("close() lets the decisions already started finish before it quits the connection", async (t) => {
  if (skip) return t.skip(skip);
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
  assert.equal(await redis!.get(`${prefix}{in-flight}:fw`), "10");
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
    const stuck = store.fixedWindow("stuck", params, 0);
    const started = performance.now();
    await store.close();
    const tookMs = performance.now() - started;
    assert.ok(tookMs < 1_500, `close() took ${tookMs} ms`);
    await assert.rejects(stuck, { code: "PARAPET_E_STORE_FAILED" });
  } finally {
    await server.stop();
  }
});
