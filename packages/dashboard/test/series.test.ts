import assert from "node:assert/strict";
import { test } from "node:test";
import type { OverviewPoint } from "@parapet/observe";
import { fillBuckets } from "../src/series.js";

const T = Date.UTC(2025, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

function point(ts: number, total: number): OverviewPoint {
  return { ts, total, allowed: total, denied: 0, errored: 0, bots: 0, attacks: 0, status4xx: 0, status5xx: 0 };
}

test("empty buckets are filled with zeros, so bars stand where their time is", () => {
  const filled = fillBuckets([point(T, 3), point(T + 3 * MINUTE, 5)], { from: T, to: T + 5 * MINUTE }, 1);
  assert.deepEqual(
    filled.map((p) => [(p.ts - T) / MINUTE, p.total]),
    [
      [0, 3],
      [1, 0],
      [2, 0],
      [3, 5],
      [4, 0],
    ],
  );
  assert.deepEqual(filled[1], { ...point(T + MINUTE, 0), allowed: 0 });
});

test("buckets are the log's: epoch-aligned, over the whole minutes of the range", () => {
  // From 12:02:30 to 12:20:00 in 5-minute buckets: minutes 12:03 to 12:19, so buckets 12:00, 12:05, 12:10, 12:15.
  const filled = fillBuckets([point(T + 5 * MINUTE, 7)], { from: T + 2.5 * MINUTE, to: T + 20 * MINUTE }, 5);
  assert.deepEqual(
    filled.map((p) => [(p.ts - T) / MINUTE, p.total]),
    [
      [0, 0],
      [5, 7],
      [10, 0],
      [15, 0],
    ],
  );
  assert.deepEqual(fillBuckets([], { from: T + 10_000, to: T + 50_000 }, 1), [], "no whole minute, no bucket");
  // 90 days from noon in day buckets (midnight UTC): the first and the last are partial.
  assert.equal(fillBuckets([], { from: T, to: T + 90 * 24 * 60 * MINUTE }, 1440).length, 91);
});
