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

/** Rolls up the closed hours not yet rolled up, oldest first; returns how many it did. */
export async function rollUpClosedHours(driver: SqlDriver, now: number): Promise<number> {
  const lastClosed = Math.floor((now - ROLLUP_GRACE_MS) / HOUR_MS) * HOUR_MS - HOUR_MS;
  const [done] = await driver.all<{ hour: number | null }>("SELECT MAX(hour) AS hour FROM parapet_top_hours");
  let hour: number;
  if (done?.hour !== null && done?.hour !== undefined) hour = Number(done.hour) + HOUR_MS;
  else {
    const [first] = await driver.all<{ ts: number | null }>("SELECT MIN(ts) AS ts FROM parapet_decisions");
    if (first?.ts === null || first?.ts === undefined) return 0;
    hour = Math.floor(Number(first.ts) / HOUR_MS) * HOUR_MS;
  }
  let rolled = 0;
  for (; hour <= lastClosed && rolled < MAX_HOURS_PER_RUN; hour += HOUR_MS, rolled++) {
    await driver.transaction(statementsForHour(hour, now));
  }
  return rolled;
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
  statements.push({
    sql: "INSERT INTO parapet_top_hours (hour, rolled_at) VALUES (?, ?) ON CONFLICT (hour) DO NOTHING",
    params: [hour, now],
  });
  return statements;
}
