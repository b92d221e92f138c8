import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRecentCache } from "../src/recent-cache.js";

describe("recent cache", () => {
  it("returns what was stored and nothing for an unknown key", () => {
    const cache = createRecentCache<number>(4);
    cache.set("a", 1);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.get("b"), undefined);
  });

  it("keeps a key that is used again, and forgets one that is not, once two generations have passed", () => {
    const cache = createRecentCache<number>(2);
    cache.set("kept", 0);
    cache.set("dropped", 1);
    for (let i = 0; i < 6; i++) {
      assert.equal(cache.get("kept"), 0, `round ${i}`);
      cache.set(`filler${i}`, i);
    }
    assert.equal(cache.get("dropped"), undefined);
  });

  it("stays bounded under a flood of unique keys", () => {
    const cache = createRecentCache<number>(3);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i);
    let held = 0;
    for (let i = 0; i < 1000; i++) if (cache.get(`k${i}`) !== undefined) held++;
    assert.ok(held <= 6, `held ${held}`);
    assert.ok(held >= 1);
  });

  it("rejects a size that is not a positive integer", () => {
    assert.throws(() => createRecentCache(0), /positive integer/);
    assert.throws(() => createRecentCache(1.5), /positive integer/);
  });
});
