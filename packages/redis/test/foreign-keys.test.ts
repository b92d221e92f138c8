/**
 * Keys under the prefix that do not hold Parapet's state (a string someone
 * SET, an older layout, a hash with "nan" or "inf" in it), against the shared
 * Redis. Each must be replaced by fresh state, so the limit holds again at
 * once, and reported with its name; before, every decision on such a key
 * failed with WRONGTYPE (failing open) for as long as the key lived, or let
 * every request through.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "@parapet/core";
import { RedisStore } from "../src/index.js";
import { useSharedRedis } from "./support/shared-redis.js";

const shared = useSharedRedis("foreign-keys");
const prefix = shared.prefix;

type Algorithm = "fw" | "sw" | "tb";

/** Three calls under a limit of 2 on one key, with the warnings logged. */
async function threeCalls(algorithm: Algorithm, key: string) {
  const warnings: Array<{ message: string; key: unknown }> = [];
  const logger = {
    ...silentLogger,
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, key: fields?.key }),
  };
  const store = new RedisStore({ client: shared.redis!, prefix, timeoutMs: 2_000, denyCache: false, logger });
  const window = { limit: 2, windowMs: 60_000, cost: 1 };
  const call = () => {
    if (algorithm === "fw") return store.fixedWindow(key, window, 0);
    if (algorithm === "sw") return store.slidingWindow(key, window, 0);
    return store.tokenBucket(key, { capacity: 2, refillRate: 1, intervalMs: 3_600_000, requested: 1 }, 0);
  };
  const allowed: Array<boolean | string> = [];
  for (let i = 0; i < 3; i++)
    allowed.push(
      await call().then(
        (state) => state.allowed,
        (error: Error) => error.message,
      ),
    );
  return { allowed, warnings, circuit: store.circuitState };
}

const foreign: Array<[Algorithm, string, (key: string) => Promise<unknown>]> = [
  ["sw", "a string", (key) => shared.redis!.set(key, "hello")],
  ["sw", "a list", (key) => shared.redis!.rpush(key, "a", "b")],
  [
    "sw",
    'a hash with "nan" counts in the current window',
    async (key) => {
      const index = Math.floor(Number((await shared.redis!.time())[0]) / 60);
      return shared.redis!.hset(key, "w", index, "c", "nan", "p", "nan");
    },
  ],
  ["sw", 'a hash with an "inf" window', (key) => shared.redis!.hset(key, "w", "inf", "c", "0", "p", "0")],
  ["tb", "a string", (key) => shared.redis!.set(key, "hello")],
  ["tb", "a sorted set", (key) => shared.redis!.zadd(key, 1, "a")],
  ["tb", 'a hash with "inf" tokens and time', (key) => shared.redis!.hset(key, "t", "inf", "ts", "inf")],
  ["tb", 'a hash with "nan" tokens', (key) => shared.redis!.hset(key, "t", "nan", "ts", "1")],
  ["fw", "a sorted set with a TTL", (key) => shared.redis!.multi().zadd(key, 1, "a").pexpire(key, 60_000).exec()],
  ["fw", "a counter without a TTL", (key) => shared.redis!.set(key, "0")],
];

for (const [algorithm, what, write] of foreign) {
  test(`a ${algorithm} key holding ${what} is replaced, the limit holds at once, and the key is named in a warning`, async (t) => {
    if (shared.skip) return t.skip(shared.skip);
    const key = `${algorithm}-${what.replaceAll(/\W+/g, "-")}`;
    const fullKey = `${prefix}{${key}}:${algorithm}`;
    await write(fullKey);
    const { allowed, warnings, circuit } = await threeCalls(algorithm, key);
    assert.deepEqual(allowed, [true, true, false], "the limit of 2 must hold on the replaced key");
    assert.equal(circuit, "closed");
    assert.deepEqual(
      warnings.map((w) => w.key),
      [fullKey],
      `one warning naming the key: ${JSON.stringify(warnings)}`,
    );
    assert.match(warnings[0]?.message ?? "", /replaced a key that did not hold Parapet's state/);
    assert.equal(await shared.redis!.type(fullKey), algorithm === "fw" ? "string" : "hash");
    const ttl = await shared.redis!.pttl(fullKey);
    assert.ok(ttl > 0, `the replaced key must have a TTL, got ${ttl}`);
  });
}

test("a key of another type fails a cost above the limit without an error, and is removed", async (t) => {
  if (shared.skip) return t.skip(shared.skip);
  const fullKey = `${prefix}{fw-too-costly}:fw`;
  await shared.redis!.set(fullKey, "not a counter");
  const store = new RedisStore({ client: shared.redis!, prefix, timeoutMs: 2_000, denyCache: false, logger: silentLogger });
  const state = await store.fixedWindow("fw-too-costly", { limit: 2, windowMs: 60_000, cost: 3 }, 0);
  assert.equal(state.allowed, false);
  assert.equal(await shared.redis!.exists(fullKey), 0);
});

test("Parapet's own keys are never reported as replaced", async (t) => {
  if (shared.skip) return t.skip(shared.skip);
  for (const algorithm of ["fw", "sw", "tb"] as const) {
    const { allowed, warnings } = await threeCalls(algorithm, `own-${algorithm}`);
    assert.deepEqual(allowed, [true, true, false]);
    assert.deepEqual(warnings, [], algorithm);
  }
});
