import type { SqlDriver, SqlStatement } from "./sql/driver.js";

/**
 * The hourly top lists behind `query.top()` on long ranges.
 *
 * Once an hour has closed (plus a grace period for rows still in the write
 * queue), the busiest TOP_PER_HOUR values of each dimension in that hour are
 * counted from the raw rows, once, into parapet_top_hourly, and the hour is
 * marked in parapet_top_hours in the same transaction. Counting from the
 * stored rows (rather than from an in-memory sketch) means a worker restart
 * loses nothing and two processes writing one database agree. Each run reads
 * about an hour of rows per dimension, bounded by MAX_HOURS_PER_RUN so that
 * catching up after a long stop never holds the database for long.
 */
export const HOUR_MS = 3_600_000;
/** Values kept per hour and dimension: above the dashboard's lists (10-50), so a value busy in some hours still ranks. */
export const TOP_PER_HOUR = 200;
/** Late rows (the write queue, a slow flush) are in the table well within this after the hour ends. */
export const ROLLUP_GRACE_MS = 5 * 60_000;
const MAX_HOURS_PER_RUN = 24;

/** The `top()` dimensions and their columns; the dimension name is what parapet_top_hourly stores. */
export const TOP_COLUMNS = {
  ip: "ip",
  apiKey: "api_key",
  userId: "user_id",
  path: "path",
  botClass: "bot_class",
  attackClass: "attack_class",
  ruleId: "rule_id",
} as const;

/**
 * Rolls up the closed hours not yet rolled up, oldest first; returns how many it did.
 *
 * "Not yet rolled up" is read against the clock: an hour marked at a time still to come (rolled_at > now) was rolled
 * up while the clock was ahead, and the clock has since been stepped back (NTP correcting a VM that booted with a wrong
 * clock, a restored snapshot). That hour is being lived again: it is rolled up again once it has closed, with the rows
 * written since. Going on from the newest mark instead, nothing was rolled up until the clock caught up with it (a day
 * for a clock a day ahead), and the hours marked empty while it was ahead kept their empty lists for good, so long
 * ranges of top() did not count that day's traffic at all.
 */
export async function rollUpClosedHours(driver: SqlDriver, now: number): Promise<number> {
  const lastClosed = Math.floor((now - ROLLUP_GRACE_MS) / HOUR_MS) * HOUR_MS - HOUR_MS;
  // parapet_top_hours holds an hour a day (2,160 rows for 90 days): the condition on rolled_at needs no index.
  const [done] = await driver.all<{ hour: number | null }>("SELECT MAX(hour) AS hour FROM parapet_top_hours WHERE rolled_at <= ?", [now]);
  const oldestRow = async () => {
    const [first] = await driver.all<{ ts: number | null }>("SELECT MIN(ts) AS ts FROM parapet_decisions");
    return first?.ts === null || first?.ts === undefined ? undefined : Number(first.ts);
  };
  let hour: number;
  if (done?.hour !== null && done?.hour !== undefined) hour = Number(done.hour) + HOUR_MS;
  else {
    const oldest = await oldestRow();
    if (oldest === undefined) return 0;
    hour = Math.floor(oldest / HOUR_MS) * HOUR_MS;
  }
  if (hour > lastClosed) return 0;
  // Normally none: hours already marked are the ones lived again after a step back.
  const marked = await driver.all<{ hour: number }>("SELECT hour FROM parapet_top_hours WHERE hour >= ? AND hour <= ?", [hour, lastClosed]);
  const markedHours = new Set(marked.map((row) => Number(row.hour)));
  const oldest = markedHours.size > 0 ? await oldestRow() : undefined;
  let rolled = 0;
  for (; hour <= lastClosed && rolled < MAX_HOURS_PER_RUN; hour += HOUR_MS, rolled++) {
    // An hour whose raw rows retention has begun to delete (a step back of more than decisionDays) keeps its lists:
    // counted again, it would lose what was deleted. It only takes the new mark.
    const keep = markedHours.has(hour) && (oldest === undefined || hour < oldest);
    await driver.transaction(keep ? [markStatement(hour, now)] : statementsForHour(hour, now));
  }
  return rolled;
}

/** Marks the hour rolled up at `now`; an hour marked before (see rollUpClosedHours) takes the new time. */
function markStatement(hour: number, now: number): SqlStatement {
  return {
    sql: "INSERT INTO parapet_top_hours (hour, rolled_at) VALUES (?, ?) ON CONFLICT (hour) DO UPDATE SET rolled_at = excluded.rolled_at",
    params: [hour, now],
  };
}

function statementsForHour(hour: number, now: number): SqlStatement[] {
  const statements: SqlStatement[] = [{ sql: "DELETE FROM parapet_top_hourly WHERE hour = ?", params: [hour] }];
  for (const [dimension, column] of Object.entries(TOP_COLUMNS)) {
    // The column name comes from the constant map above, never from input.
    statements.push({
      sql: `INSERT INTO parapet_top_hourly (hour, dimension, value, total, denied)
SELECT ?, ?, ${column}, COUNT(*), SUM(denied) FROM parapet_decisions
WHERE ts >= ? AND ts < ? AND ${column} IS NOT NULL GROUP BY ${column} ORDER BY COUNT(*) DESC, ${column} LIMIT ?`,
      params: [hour, dimension, hour, hour + HOUR_MS, TOP_PER_HOUR],
    });
  }
  statements.push(markStatement(hour, now));
  return statements;
}
