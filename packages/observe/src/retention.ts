import { minuteOf } from "./ip-minutes.js";
import type { SqlDriver } from "./sql/driver.js";

/**
 * Keeps the store bounded: raw decisions for `decisionDays` (default 7),
 * rollups and alerts for `rollupDays` (default 90). Run periodically by
 * observe() (hourly by default, and on the first tick after start).
 *
 * Rows go in chunks of about `chunkRows`, each its own short transaction, with
 * a turn of the event loop between two: the first run after start meets
 * whatever backlog the log holds (all of last week's rows after a week's stop,
 * an hour of a busy site's rows on every run), and one DELETE of 3 million
 * rows held SQLite's write lock for 10 s, stalling the log's writes until its
 * queue overflowed and dropped decisions (on the request thread with
 * `worker: false`, the app itself stood still); on PostgreSQL a DELETE longer
 * than `queryTimeoutMs` was rolled back and retried whole, so a big enough
 * backlog was never deleted at all. Chunks keep each lock short and make
 * progress that a failure or a close does not undo; a run goes on until
 * everything before the cutoffs is gone, however fast rows arrive meanwhile.
 */
export interface RetentionPolicy {
  readonly decisionDays: number;
  readonly rollupDays: number;
}

export interface RetentionOptions {
  /**
   * Rows per DELETE (plus rows sharing the last one's timestamp, minute or hour: a minute of parapet_ip_minutes is
   * deleted whole). Default RETENTION_CHUNK_ROWS.
   */
  readonly chunkRows?: number;
  /** Asked between chunks; true ends the run early (the log is closing). The next run carries on. */
  readonly stopped?: () => boolean;
}

/**
 * Measured on 3 million decisions, 2 shared cores: a chunk holds SQLite's write lock about 10 ms (the longest wait of a
 * write beside it 45-110 ms, against 10 s for one DELETE) and the whole run is no slower (6.7 s against 10.3 s:
 * smaller transactions keep the WAL small); PostgreSQL took 4.8 s in 131 ms transactions, against one DELETE of 5 s.
 */
export const RETENTION_CHUNK_ROWS = 2_000;
const DAY_MS = 86_400_000;

/** Deletes everything past retention. Resolves true once it is all gone, false when `stopped` ended the run first. */
export async function applyRetention(
  driver: SqlDriver,
  policy: RetentionPolicy,
  now: number,
  options: RetentionOptions = {},
): Promise<boolean> {
  const decisionCutoff = now - policy.decisionDays * DAY_MS;
  const rollupCutoff = now - policy.rollupDays * DAY_MS;
  const chunkRows = options.chunkRows ?? RETENTION_CHUNK_ROWS;
  const stopped = options.stopped ?? (() => false);
  // Table and column names are constants here, never input. Decisions go before the IP minutes that list them (an IP
  // minute without rows only costs a query a look; rows without their IP minute could not be found by IP). An hour
  // goes from parapet_top_hours before its lists go from parapet_top_hourly: a query reads the lists of marked hours
  // only, so between the two chunks it reads that hour's raw rows (long gone) instead of half its lists.
  const tables: readonly (readonly [table: string, column: string, cutoff: number])[] = [
    ["parapet_decisions", "ts", decisionCutoff],
    // Only minutes wholly before the cutoff: the cutoff's own minute may still hold rows.
    ["parapet_ip_minutes", "minute", minuteOf(decisionCutoff)],
    ["parapet_rollups", "minute", rollupCutoff],
    ["parapet_alerts", "ts", rollupCutoff],
    ["parapet_rule_denials", "minute", rollupCutoff],
    ["parapet_top_hours", "hour", rollupCutoff],
    ["parapet_top_hourly", "hour", rollupCutoff],
  ];
  for (const [table, column, cutoff] of tables) {
    if (!(await deleteBefore(driver, table, column, cutoff, chunkRows, stopped))) return false;
  }
  return true;
}

/**
 * Deletes the rows of `table` with `column` < `cutoff`, oldest first, a chunk per transaction. Each chunk is found
 * through the column's index: the chunkRows-th oldest value, then a range DELETE up to it. The range starts above
 * the last chunk's end, so PostgreSQL does not walk the index entries of rows already deleted (they stay in the
 * index until vacuum) on every chunk.
 */
async function deleteBefore(
  driver: SqlDriver,
  table: string,
  column: string,
  cutoff: number,
  chunkRows: number,
  stopped: () => boolean,
): Promise<boolean> {
  /** Every row with `column` <= this is deleted. */
  let done: number | undefined;
  for (;;) {
    const above = done === undefined ? "" : `${column} > ? AND `;
    const lower = done === undefined ? [] : [done];
    const [edge] = await driver.all<{ v: number }>(
      `SELECT ${column} AS v FROM ${table} WHERE ${above}${column} < ? ORDER BY ${column} LIMIT 1 OFFSET ?`,
      [...lower, cutoff, chunkRows - 1],
    );
    if (!edge) {
      // Fewer than a chunk left. Still above `done`: without it, PostgreSQL walked the whole run's dead index entries
      // again (1.5 s after 3 million rows, a query timeout after enough). A row older than the cutoff that was written
      // meanwhile below `done` (none is: rows are written as they happen) would go on the next run.
      await driver.transaction([{ sql: `DELETE FROM ${table} WHERE ${above}${column} < ?`, params: [...lower, cutoff] }]);
      return true;
    }
    const upTo = Number(edge.v);
    await driver.transaction([{ sql: `DELETE FROM ${table} WHERE ${above}${column} <= ?`, params: [...lower, upTo] }]);
    done = upTo;
    // A turn of the event loop: the log's writes (and, with worker: false, the app's requests) go between two chunks.
    await new Promise((resolve) => setImmediate(resolve));
    if (stopped()) return false;
  }
}
