/**
 * The store's own logic with a plain-object fake client: option validation,
 * timeout, NOSCRIPT fallback, fail-fast paths, reply checking, deny cache.
 * Real Redis behaviour is covered by the integration tests.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { silentLogger } from "@parapet/core";
import { type RedisClientLike, RedisStore, type RedisStoreOptions } from "../src/index.js";

const params = { limit: 10, windowMs: 1_000, cost: 1 };
const allowReply = [1, 9, 1_000, 0];

function fakeClient(answer: (command: "evalsha" | "eval") => Promise<unknown>, status = "ready") {
  const calls: string[] = [];
  const client: RedisClientLike & { status: string } = {
    status,
    evalsha: (_sha, _n, ...args) => {
      calls.push(`evalsha ${args[0]}`);
      return answer("evalsha");
    },
    eval: (_script, _n, ...args) => {
      calls.push(`eval ${args[0]}`);
      return answer("eval");
    },
  };
  return { client, calls };
}

function storeWith(client: RedisClientLike, options: Partial<RedisStoreOptions> = {}) {
  return new RedisStore({ client, logger: silentLogger, ...options });
}

test("invalid options are refused at construction with a message saying what to pass", () => {
  const { client } = fakeClient(async () => allowReply);
  const cases: Array<[RedisStoreOptions, RegExp]> = [
    [{ client, prefix: "app:{x}:" }, /prefix.*hash tag/],
    [{ client, timeoutMs: 0 }, /timeoutMs.*positive integer/],
    [{ client, timeoutMs: 1.5 }, /timeoutMs/],
    [{ client, timeoutMs: 3_600_000_000 }, /timeoutMs.*at most 2147483647/],
    [{ client, circuitBreaker: { failureThreshold: -1 } }, /failureThreshold/],
    [{ client, denyCache: { maxEntries: Number.NaN } }, /maxEntries/],
    [{ client, url: "redis://x" }, /either `client` or `url`/],
    [{ url: "http://127.0.0.1:6379" }, /redis:\/\//],
    [{ client: {} as RedisClientLike }, /ioredis Redis or Cluster/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new RedisStore(options), { code: "PARAPET_E_INVALID_OPTION", message }, JSON.stringify(options));
  }
});

test("keys carry the prefix and the key as a Cluster hash tag", async () => {
  const { client, calls } = fakeClient(async () => allowReply);
  await storeWith(client, { prefix: "app:" }).fixedWindow("RATE_LIMIT:api|ip=1.2.3.4", params, 0);
  await storeWith(client, { prefix: "app:" }).tokenBucket("k", { capacity: 1, refillRate: 1, intervalMs: 1, requested: 1 }, 0);
  assert.deepEqual(calls, ["evalsha app:{RATE_LIMIT:api|ip=1.2.3.4}:fw", "evalsha app:{k}:tb"]);
});

test("a key with an unpaired surrogate reaches Redis as text that survives UTF-8, so no two clients share it", async () => {
  const { client, calls } = fakeClient(async () => allowReply);
  const store = storeWith(client);
  for (const key of ["u=\uD800", "u=\uDBFF", "u=\uFFFD", `u=${"x".repeat(600)}\uD800`]) await store.fixedWindow(key, params, 0);
  const sent = calls.map((call) => call.slice("evalsha ".length));
  for (const key of sent) assert.equal(Buffer.from(key).toString(), key, "Redis and ioredis's Cluster routing must see the same bytes");
  assert.equal(new Set(sent).size, 4);
});

test("a Redis that never answers is a STORE_TIMEOUT after timeoutMs, not a hang", async () => {
  const { client } = fakeClient(() => new Promise(() => undefined));
  const store = storeWith(client, { timeoutMs: 20 });
  const started = performance.now();
  await assert.rejects(store.fixedWindow("k", params, 0), { code: "PARAPET_E_STORE_TIMEOUT", message: /within 20 ms/ });
  // A "does not hang" bound, generous for a loaded machine.
  assert.ok(performance.now() - started < 2_000);
});

test("NOSCRIPT makes the store send the script itself with EVAL", async () => {
  const { client, calls } = fakeClient(async (command) => {
    if (command === "evalsha") throw new Error("NOSCRIPT No matching script. Please use EVAL.");
    return allowReply;
  });
  const state = await storeWith(client).fixedWindow("k", params, 0);
  assert.equal(state.allowed, true);
  assert.deepEqual(calls, ["evalsha parapet:{k}:fw", "eval parapet:{k}:fw"]);
});

test("other Redis errors become STORE_FAILED naming the cause", async () => {
  const { client } = fakeClient(async () => {
    throw new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
  });
  await assert.rejects(storeWith(client).slidingWindow("k", params, 0), { code: "PARAPET_E_STORE_FAILED", message: /WRONGTYPE/ });
});

test("an unexpected reply is a STORE_FAILED, not a wrong decision", async () => {
  for (const reply of [null, "OK", [1, 2, 3], [1, "9", 1_000, 0], [1, 9, 1_000, 0, 2], [1, 9, 1_000, 0, 1, 1]]) {
    const { client } = fakeClient(async () => reply);
    await assert.rejects(storeWith(client).fixedWindow("k", params, 0), { code: "PARAPET_E_STORE_FAILED" }, JSON.stringify(reply));
  }
});

test("while the client is reconnecting, calls fail at once without queueing", async () => {
  const { client, calls } = fakeClient(async () => allowReply, "reconnecting");
  await assert.rejects(storeWith(client).fixedWindow("k", params, 0), { code: "PARAPET_E_STORE_FAILED", message: /reconnecting/ });
  assert.deepEqual(calls, []);
});

test("after failureThreshold failures the circuit opens and Redis is not called", async () => {
  const { client, calls } = fakeClient(async () => {
    throw new Error("ECONNREFUSED");
  });
  const store = storeWith(client, { circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
  for (let i = 0; i < 2; i++) await assert.rejects(store.fixedWindow("k", params, 0));
  await assert.rejects(store.fixedWindow("k", params, 0), { code: "PARAPET_E_STORE_FAILED", message: /circuit is open/ });
  assert.equal(calls.length, 2);
  assert.equal(store.circuitState, "open");
});

test("an outage is logged once when the circuit opens, not again at every failed probe, and once when it closes", async () => {
  let up = false;
  const { client } = fakeClient(async () => {
    if (!up) throw new Error("ECONNREFUSED");
    return allowReply;
  });
  let now = 0;
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  const store = storeWith(client, { logger, clock: { now: () => now }, circuitBreaker: { failureThreshold: 2, cooldownMs: 1_000 } });
  for (let i = 0; i < 2; i++) await assert.rejects(store.fixedWindow("k", params, 0));
  // Ten cooldowns of a Redis still down: ten probes, each failing and reopening the circuit.
  for (let i = 0; i < 10; i++) {
    now += 1_000;
    await assert.rejects(store.fixedWindow("k", params, 0), { message: /ECONNREFUSED/ });
    assert.equal(store.circuitState, "open");
  }
  up = true;
  now += 1_000;
  await store.fixedWindow("k", params, 0);
  assert.deepEqual(warnings, ["redis store: circuit opened; store calls fail at once", "redis store: circuit closed; Redis answers again"]);
});

test("a denial is answered locally until its retry time, for the same limits only", async () => {
  const { client, calls } = fakeClient(async () => [0, 0, 800, 800]);
  const store = storeWith(client);
  const first = await store.fixedWindow("k", params, 0);
  const second = await store.fixedWindow("k", params, 0);
  assert.equal(first.allowed, false);
  assert.equal(second.allowed, false);
  assert.equal(calls.length, 1, "the second denial must not cost a round trip");
  await store.fixedWindow("k", { ...params, limit: 20 }, 0);
  assert.equal(calls.length, 2, "another limit on the same key is not covered by that denial");
});

test("with the deny cache off every call goes to Redis", async () => {
  const { client, calls } = fakeClient(async () => [0, 0, 800, 800]);
  const store = storeWith(client, { denyCache: false });
  await store.fixedWindow("k", params, 0);
  await store.fixedWindow("k", params, 0);
  assert.equal(calls.length, 2);
});

test("a closed store refuses calls with a clear error and leaves a given client open", async () => {
  let quit = false;
  const { client } = fakeClient(async () => allowReply);
  const store = storeWith({ ...client, quit: async () => (quit = true) });
  await store.close();
  await assert.rejects(store.fixedWindow("k", params, 0), { code: "PARAPET_E_STORE_FAILED", message: /closed/ });
  assert.equal(quit, false);
});

test("close() leaves no timer keeping the process alive, even with a long timeoutMs", async () => {
  // In a child process: the count of active timers there is the store's alone.
  const child = `
    import { RedisStore } from ${JSON.stringify(new URL("../src/index.js", import.meta.url).href)};
    const timers = () => process.getActiveResourcesInfo().filter((type) => type === "Timeout").length;
    let answer;
    const client = { status: "ready", evalsha: () => new Promise((resolve) => (answer = resolve)), eval: async () => [] };
    const store = new RedisStore({ client, timeoutMs: 600000 });
    const decision = store.fixedWindow("k", { limit: 10, windowMs: 1000, cost: 1 }, 0);
    await new Promise((resolve) => setImmediate(resolve));
    const whileWaiting = timers();
    answer([1, 9, 1000, 0]);
    await decision;
    await store.close();
    // Exit at once: on failure, waiting for the timer would take timeoutMs.
    process.stdout.write(JSON.stringify({ whileWaiting, afterClose: timers() }), () => process.exit(0));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", child], { timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), { whileWaiting: 1, afterClose: 0 }, "the deadline timer kept the process alive after close()");
});
