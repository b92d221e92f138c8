/**
 * Exactness under real concurrency: 8 separate processes x 5,000 requests on
 * one key, against the shared Redis and against a 3-master Redis Cluster
 * started here. The fixed window and token bucket must allow exactly the
 * limit; the sliding window must stay within its documented bound
 * (limit + ceil(limit * runMs / windowMs) when the run crosses an aligned
 * window boundary, exactly the limit otherwise).
 */
import assert from "node:assert/strict";
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import type { Algorithm, DoneMessage, RunMessage } from "./support/exactness-worker.js";
import { missingRedisBinaries, type RedisCluster, startRedisCluster } from "./support/redis-server.js";
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from "./support/shared-redis.js";

const WORKERS = 8;
const REQUESTS_PER_WORKER = 5_000;
const LIMIT = 10_000;
const SLIDING_WINDOW_MS = 120_000;
const workerPath = fileURLToPath(new URL("./support/exactness-worker.js", import.meta.url));

interface Fleet {
  run(algorithm: Algorithm, key: string): Promise<{ allowed: number; denied: number; errors: string[]; runMs: number }>;
  stop(): Promise<void>;
}

async function startFleet(topology: "standalone" | "cluster", target: string, prefix: string): Promise<Fleet> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      }),
    );
  };
  try {
    for (let i = 0; i < WORKERS; i++)
      children.push(fork(workerPath, [topology, target, prefix], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    await Promise.all(children.map((child) => waitFor(child, "ready")));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    async run(algorithm, key) {
      await awayFromMidnight();
      const message: RunMessage = { type: "run", algorithm, key, limit: LIMIT, requests: REQUESTS_PER_WORKER };
      const started = performance.now();
      const replies = children.map((child) => waitFor(child, "done") as Promise<DoneMessage>);
      for (const child of children) child.send(message);
      const results = await Promise.all(replies);
      return {
        allowed: results.reduce((sum, r) => sum + r.allowed, 0),
        denied: results.reduce((sum, r) => sum + r.denied, 0),
        errors: results.flatMap((r) => r.errors),
        runMs: performance.now() - started,
      };
    },
    stop,
  };
}

/** The fixed window is a UTC day: a run must not straddle midnight, or two windows' limits would pass. */
async function awayFromMidnight(): Promise<void> {
  const DAY_MS = 86_400_000;
  const untilMidnight = DAY_MS - (Date.now() % DAY_MS);
  if (untilMidnight < 60_000) await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1_000));
}

function waitFor(child: ChildProcess, type: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not send "${type}" within 60 s`)), 60_000);
    const onExit = (code: number | null) => reject(new Error(`worker exited with ${code} before sending "${type}"`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function exactnessSuite(topology: "standalone" | "cluster", getFleet: () => Fleet | string) {
  for (const algorithm of ["fixedWindow", "tokenBucket"] as const) {
    test(`${algorithm}: exactly ${LIMIT} of ${WORKERS * REQUESTS_PER_WORKER} allowed`, async (t) => {
      const fleet = getFleet();
      if (typeof fleet === "string") return t.skip(fleet);
      const result = await fleet.run(algorithm, `exact-${algorithm}`);
      t.diagnostic(`${topology} ${algorithm}: ${result.allowed} allowed in ${Math.round(result.runMs)} ms`);
      assert.deepEqual(result.errors, []);
      assert.equal(result.allowed + result.denied, WORKERS * REQUESTS_PER_WORKER);
      assert.equal(result.allowed, LIMIT);
    });
  }
  test("slidingWindow: within its documented bound", async (t) => {
    const fleet = getFleet();
    if (typeof fleet === "string") return t.skip(fleet);
    const result = await fleet.run("slidingWindow", "exact-slidingWindow");
    const bound = LIMIT + Math.ceil((LIMIT * result.runMs) / SLIDING_WINDOW_MS);
    t.diagnostic(`${topology} slidingWindow: ${result.allowed} allowed (bound ${bound}) in ${Math.round(result.runMs)} ms`);
    assert.deepEqual(result.errors, []);
    assert.ok(result.allowed >= LIMIT && result.allowed <= bound, `${result.allowed} allowed, expected ${LIMIT}..${bound}`);
  });
}

describe("exactness against the shared Redis", () => {
  const prefix = uniquePrefix("exact");
  let fleet: Fleet | string = "not started";
  let redis: Redis | undefined;
  before(async () => {
    const connected = await connectShared();
    if (typeof connected === "string") {
      fleet = connected;
      return;
    }
    redis = connected;
    fleet = await startFleet("standalone", SHARED_REDIS_URL, prefix);
  });
  after(async () => {
    if (typeof fleet !== "string") await fleet.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
  exactnessSuite("standalone", () => fleet);
});

describe("exactness on a 3-master Redis Cluster", () => {
  let cluster: RedisCluster | undefined;
  let fleet: Fleet | string = "not started";
  before(async () => {
    const missing = missingRedisBinaries();
    if (missing) {
      fleet = missing;
      return;
    }
    cluster = await startRedisCluster();
    fleet = await startFleet("cluster", cluster.ports.join(","), uniquePrefix("exact-cluster"));
  });
  after(async () => {
    if (typeof fleet !== "string") await fleet.stop();
    await cluster?.stop();
  });
  exactnessSuite("cluster", () => fleet);
});
