import assert from "node:assert/strict";
import { test } from "node:test";
import { DenyCache } from "../src/deny-cache.js";

function cache(maxEntries = 10) {
  let now = 1_000;
  return { instance: new DenyCache(maxEntries, () => now), advance: (ms: number) => (now += ms) };
}
const denied = { allowed: false, remaining: 0, resetMs: 500, retryAfterMs: 300 };

test("answers a denial locally until its retry time, then forgets it", () => {
  const { instance, advance } = cache();
  instance.remember("k", 1, denied);
  advance(100);
  assert.deepEqual(instance.get("k", 1), { allowed: false, remaining: 0, resetMs: 400, retryAfterMs: 200 });
  advance(200);
  assert.equal(instance.get("k", 1), undefined);
  assert.equal(instance.size, 0);
});

test("a cheaper request than the one denied still goes to Redis: it might fit", () => {
  const { instance } = cache();
  instance.remember("k", 5, { ...denied, remaining: 3 });
  assert.equal(instance.get("k", 4), undefined);
  assert.equal(instance.get("k", 5)?.allowed, false);
  assert.equal(instance.get("k", 9)?.remaining, 3);
});

test("allowed answers and zero waits are not cached", () => {
  const { instance } = cache();
  instance.remember("a", 1, { allowed: true, remaining: 3, resetMs: 500, retryAfterMs: 0 });
  instance.remember("b", 1, { ...denied, retryAfterMs: 0 });
  assert.equal(instance.size, 0);
});

test("stays bounded: the oldest entry goes first", () => {
  const { instance } = cache(2);
  instance.remember("a", 1, denied);
  instance.remember("b", 1, denied);
  instance.remember("c", 1, denied);
  assert.equal(instance.size, 2);
  assert.equal(instance.get("a", 1), undefined);
  assert.equal(instance.get("c", 1)?.allowed, false);
});
