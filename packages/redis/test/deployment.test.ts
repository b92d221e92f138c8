/**
 * How the store behaves with a Redis deployed in ways it does not control,
 * against redis-server processes this test starts: a full Redis (maxmemory,
 * noeviction), a Redis that lost its scripts (SCRIPT FLUSH, a restart), and a
 * Cluster node reached by a plain client (MOVED).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { silentLogger } from "@parapet/core";
import { Redis } from "ioredis";
import { RedisStore } from "../src/index.js";
import { missingRedisBinaries, type RedisServer, startRedisCluster, startRedisServer } from "./support/redis-server.js";

const run = promisify(execFile);
const skip = missingRedisBinaries() ?? false;
const params = { limit: 1_000, windowMs: 60_000, cost: 1 };

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { ...silentLogger, warn: (message: string) => warnings.push(message) } };
}

async function withServer(body: (server: RedisServer, admin: Redis) => Promise<void>): Promise<void> {
  const server = await startRedisServer();
  const admin = new Redis(server.port, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  admin.on("error", () => undefined);
  try {
    await body(server, admin);
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

test("a full Redis (maxmemory, noeviction): the error says what to do, and one refused write does not open the circuit for every key", async (t) => {
  if (skip) return t.skip(skip);
  await withServer(async (server, admin) => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${server.port}`, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
    try {
      await store.fixedWindow("before", params, 0);
      await admin.config("SET", "maxmemory", "1");
      await admin.config("SET", "maxmemory-policy", "noeviction");
      for (let i = 0; i < 10; i++) {
        await assert.rejects(store.fixedWindow(`new-${i}`, params, 0), { code: "PARAPET_E_STORE_FAILED", message: /OOM.*raise maxmemory/ });
      }
      // Redis answered every call at once: the breaker is for a Redis that does not answer. Open, it failed
      // every key (open, by default) for its cooldown, those Redis could still count included.
      assert.equal(store.circuitState, "closed");
      await admin.config("SET", "maxmemory", "0");
      assert.equal((await store.fixedWindow("after", params, 0)).allowed, true);
    } finally {
      await store.close();
    }
  });
});

test("Redis losing its scripts (SCRIPT FLUSH, then a restart) is answered and logged, throttled; a first use is not", async (t) => {
  if (skip) return t.skip(skip);
  await withServer(async (server, admin) => {
    const { warnings, logger } = recordingLogger();
    let now = 0;
    const store = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      timeoutMs: 2_000,
      denyCache: false,
      logger,
      clock: { now: () => now },
      circuitBreaker: { failureThreshold: 1_000 },
    });
    try {
      await store.fixedWindow("k", params, 0);
      await store.tokenBucket("k", { capacity: 5, refillRate: 1, intervalMs: 1_000, requested: 1 }, 0);
      assert.deepEqual(warnings, [], "a fresh Redis without the scripts cached is not news");

      await admin.script("FLUSH");
      assert.equal((await store.fixedWindow("k", params, 0)).remaining, params.limit - 2);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? "", /no longer knew a rate-limit script.*started over/);
      await admin.script("FLUSH");
      await store.fixedWindow("k", params, 0);
      assert.equal(warnings.length, 1, "at most one warning a minute");

      now += 60_000;
      await server.kill();
      await server.restart();
      let state: unknown;
      for (let i = 0; i < 200 && state === undefined; i++) {
        state = await store.fixedWindow("k", params, 0).catch(() => new Promise((resolve) => setTimeout(resolve, 25)));
      }
      // The restart lost the count (no persistence): that is what the warning is there to say.
      assert.deepEqual(state, {
        allowed: true,
        remaining: params.limit - 1,
        resetMs: (state as { resetMs: number }).resetMs,
        retryAfterMs: 0,
      });
      assert.equal(warnings.filter((w) => /no longer knew a rate-limit script/.test(w)).length, 2);
    } finally {
      await store.close();
    }
  });
});

test("a plain client on a Cluster node: keys of other nodes fail with an error that says to use ioredis's Cluster", async (t) => {
  if (skip) return t.skip(skip);
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  try {
    cluster = await startRedisCluster();
  } catch (error) {
    // No cluster support in this redis-server build, or too slow a machine: nothing to test here.
    return t.skip(`could not start a Redis Cluster: ${(error as Error).message}`);
  }
  const port = cluster.ports[0] as number;
  const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
  try {
    // A key whose slot another node serves: redis-cli without -c prints the redirection.
    let foreign: string | undefined;
    for (let i = 0; foreign === undefined; i++) {
      const { stdout } = await run("redis-cli", ["-p", String(port), "get", `parapet:{k${i}}:fw`]);
      if (stdout.startsWith("MOVED")) foreign = `k${i}`;
    }
    await assert.rejects(store.fixedWindow(foreign, params, 0), { code: "PARAPET_E_STORE_FAILED", message: /MOVED.*ioredis Cluster/ });
  } finally {
    await store.close();
    await cluster.stop();
  }
});
