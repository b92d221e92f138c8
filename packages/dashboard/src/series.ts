import type { OverviewPoint } from "@parapet/observe";
import type { Range } from "./params.js";

const MINUTE_MS = 60_000;

/**
 * The overview series with one point per bucket of the range, zeros where nothing was logged. The log returns
 * only buckets with data, and the chart draws one bar per point: a quiet stretch would vanish and the bars on
 * either side of it would stand next to each other, hiding the very gap (an outage, a blocked flood) worth seeing.
 * Buckets are the log's: epoch-aligned, over the whole minutes from `from` (inclusive) to `to` (exclusive).
 */
export function fillBuckets(series: readonly OverviewPoint[], range: Range, bucketMinutes: number): OverviewPoint[] {
  const bucketMs = bucketMinutes * MINUTE_MS;
  const firstMinute = Math.ceil(range.from / MINUTE_MS) * MINUTE_MS;
  const lastMinute = Math.ceil(range.to / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  if (lastMinute < firstMinute) return [...series];
  const byTs = new Map(series.map((point) => [point.ts, point]));
  const filled: OverviewPoint[] = [];
  // At most about 120 buckets: the API picks bucketMinutes for that (params.ts).
  for (let ts = Math.floor(firstMinute / bucketMs) * bucketMs; ts <= lastMinute; ts += bucketMs) {
    filled.push(byTs.get(ts) ?? emptyPoint(ts));
  }
  return filled;
}

function emptyPoint(ts: number): OverviewPoint {
  return { ts, total: 0, allowed: 0, denied: 0, errored: 0, bots: 0, attacks: 0, status4xx: 0, status5xx: 0 };
}
