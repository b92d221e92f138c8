import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MemoryStore } from "../src/index.js";

const W = 10_000;
const LIMIT = 10;
const T0 = 1_700_000_000_000; // a multiple of W
const params = { limit: LIMIT, windowMs: W, cost: 1 };

/** Offers one request at each time; returns the times that were admitted. */
async function admitted(store: MemoryStore, times: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for (const t of times) if ((await store.slidingWindow("k", params, t)).allowed) out.push(t);
  return out;
}

/** The most admitted requests in any half-open span [t, t + W). */
function maxInAnySpan(times: readonly number[]): number {
  let best = 0;
  let left = 0;
  for (let right = 0; right < times.length; right++) {
    while ((times[right] as number) - (times[left] as number) >= W) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

describe("slidingWindow (weighted two-window estimate)", () => {
  it("weighs the previous window by the part of it still inside the span", async () => {
    const store = new MemoryStore();
    // 10 requests in the first window fill it.
    assert.equal(
      (
        await admitted(
          store,
          Array.from({ length: 10 }, (_, i) => T0 + i),
        )
      ).length,
      10,
    );
    // 30% into the next window, the previous one weighs 0.7 * 10 = 7: room for 3.
    const at = T0 + W + 3_000;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await store.slidingWindow("k", params, at));
    assert.deepEqual(
      results.map((r) => r.allowed),
      [true, true, true, false, false],
    );
    assert.deepEqual(
      results.map((r) => r.remaining),
      [2, 1, 0, 0, 0],
    );
    assert.equal(results[3]?.resetMs, 7_000);
  });

  it("says when a retry will pass, and it does pass then and not before", async () => {
    const store = new MemoryStore();
    await admitted(
      store,
      Array.from({ length: 10 }, () => T0 + 5_000),
    );
    const at = T0 + W + 2_000;
    for (;;) if (!(await store.slidingWindow("k", params, at)).allowed) break;
    const denied = await store.slidingWindow("k", params, at);
    assert.ok(denied.retryAfterMs > 0);
    assert.equal((await store.slidingWindow("k", params, at + denied.retryAfterMs - 1)).allowed, false);
    assert.equal((await store.slidingWindow("k", params, at + denied.retryAfterMs)).allowed, true);
  });

  it("computes a retry that lies in the next window when this one is full", async () => {
    const store = new MemoryStore();
    await admitted(
      store,
      Array.from({ length: 10 }, () => T0 + 1_000),
    );
    const denied = await store.slidingWindow("k", params, T0 + 2_000);
    assert.equal(denied.allowed, false);
    // Next window starts in 8,000 ms with previous = 10; one request fits once 10 * (1 - f) <= 9, i.e. f >= 0.1.
    assert.equal(denied.retryAfterMs, 8_000 + 1_000);
    assert.equal((await store.slidingWindow("k", params, T0 + 2_000 + 8_999)).allowed, false);
    assert.equal((await store.slidingWindow("k", params, T0 + 2_000 + 9_000)).allowed, true);
  });

  it("never admits more than the limit within one fixed window", async () => {
    const store = new MemoryStore();
    const times = Array.from({ length: 2_000 }, (_, i) => T0 + i * 37);
    const ok = await admitted(store, times);
    for (let start = T0; start < T0 + 2_000 * 37; start += W) {
      assert.ok(ok.filter((t) => t >= start && t < start + W).length <= LIMIT);
    }
  });

  it("stays under twice the limit in any span against the worst-case burst timing (the documented bound)", async () => {
    const store = new MemoryStore();
    // The adversary: quiet, then a burst in the last millisecond of a window
    // (it weighs almost nothing a moment later), then a steady stream.
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push(T0 + W - 1);
    for (let t = T0 + W; t < T0 + 3 * W; t += 50) times.push(t);
    const ok = await admitted(store, times);
    const worst = maxInAnySpan(ok);
    assert.ok(worst < 2 * LIMIT, `admitted ${worst} in one span`);
    assert.ok(worst > LIMIT, "the bound is real: this timing does exceed the limit in some span");
  });

  it("is exact within one request for evenly spread traffic", async () => {
    const store = new MemoryStore();
    // Twice the allowed rate, evenly spread: a sliding log would admit exactly LIMIT per span.
    const times = Array.from({ length: 400 }, (_, i) => T0 + i * 500);
    const ok = await admitted(store, times);
    const steady = ok.filter((t) => t >= T0 + 2 * W);
    const worst = maxInAnySpan(steady);
    assert.ok(worst <= LIMIT + 1 && worst >= LIMIT - 1, `admitted ${worst} in one span`);
  });

  it("forgets a window two windows old", async () => {
    const store = new MemoryStore();
    await admitted(
      store,
      Array.from({ length: 10 }, () => T0),
    );
    const later = await store.slidingWindow("k", params, T0 + 2 * W);
    assert.deepEqual(later, { allowed: true, remaining: 9, resetMs: W, retryAfterMs: 0 });
  });
});

describe("slidingWindow's documented bound against an exact sliding log, over adversarial timings", () => {
  /** Admitted requests in [from, from + span). */
  const countIn = (times: readonly number[], from: number, span: number) => times.filter((t) => t >= from && t < from + span).length;

  it("at most max per aligned window, fewer than 2 * max per window-long span, max + ceil(max * d / window) across one boundary", async () => {
    // Bursts (up to 15 requests at one time) placed near boundaries, the adversary's best timing, or anywhere.
    const burst = fc.tuple(
      fc.oneof(
        fc.integer({ min: 0, max: 4 * W - 1 }),
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -300, max: 300 })).map(([k, off]) => k * W + off),
      ),
      fc.integer({ min: 1, max: 15 }),
    );
    const arrivals = fc.array(burst, { minLength: 1, maxLength: 12 }).map((bursts) => bursts.flatMap(([at, n]) => Array(n).fill(at)));
    await fc.assert(
      fc.asyncProperty(arrivals, async (offsets: number[]) => {
        const times = offsets.map((o) => T0 + o).sort((a, b) => a - b);
        const ok = await admitted(new MemoryStore(), times);
        for (let k = 0; k < 4; k++) assert.ok(countIn(ok, T0 + k * W, W) <= LIMIT, `window ${k}`);
        for (const from of ok) {
          // Every span that starts at an admitted request (the worst spans do) and every length that crosses one boundary.
          assert.ok(countIn(ok, from, W) < 2 * LIMIT, `span from ${from - T0}`);
          const boundary = Math.ceil((from - T0) / W) * W + T0;
          for (const to of ok) {
            if (to < boundary || to >= boundary + W || boundary === from) continue;
            const d = to + 1 - from;
            if (d > W) continue;
            assert.ok(countIn(ok, from, d) <= LIMIT + Math.ceil((LIMIT * d) / W), `span ${from - T0}..${to - T0}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
