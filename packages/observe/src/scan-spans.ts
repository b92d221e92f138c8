import type { Span } from "./ip-minutes.js";
import type { SqlDriver } from "./sql/driver.js";

const MINUTE_MS = 60_000;

/** What a span's weight counts: every decision, or only the flagged ones (see FLAGGED in query.ts). */
export type SpanWeight = "all" | "flagged";

/** A stretch of time and about how many rows a query filtered on it reads. */
export interface WeighedSpan extends Span {
  readonly rows: number;
}

/**
 * Splits [from, to) into contiguous spans, newest first, of about `rowsPerSpan`
 * rows each, weighed by the minute rollups (written in the same transaction as
 * the rows, so they count what is there). A filtered search reads the spans in
 * order and can stop between two of them having read a known number of rows:
 * a rare value over a week of a busy log is otherwise one query that reads
 * every row of the week (seconds, holding a synchronous SQLite connection).
 *
 * The spans cover the range whole, minutes without a rollup included, so no
 * row is skipped however the rollups look.
 */
export async function spansByRows(
  driver: SqlDriver,
  from: number,
  to: number,
  rowsPerSpan: number,
  weight: SpanWeight,
): Promise<WeighedSpan[]> {
  if (from >= to) return [];
  const counted = weight === "all" ? "total" : "denied + errored + attacks";
  const minutes = await driver.all<{ minute: number; rows: number }>(
    `SELECT minute, ${counted} AS rows FROM parapet_rollups WHERE minute >= ? AND minute < ? ORDER BY minute DESC`,
    [Math.floor(from / MINUTE_MS) * MINUTE_MS, to],
  );
  const spans: WeighedSpan[] = [];
  let end = to;
  let rows = 0;
  for (const row of minutes) {
    rows += Number(row.rows);
    const start = Math.max(from, Number(row.minute));
    if (rows >= rowsPerSpan && start > from) {
      spans.push({ from: start, to: end, rows });
      end = start;
      rows = 0;
    }
  }
  spans.push({ from, to: end, rows });
  return spans;
}
