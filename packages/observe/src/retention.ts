import { minuteOf } from "./ip-minutes.js";
import type { SqlDriver } from "./sql/driver.js";

/**
 * Keeps the store bounded: raw decisions for `decisionDays` (default 7),
 * rollups and alerts for `rollupDays` (default 90). Run periodically by
 * observe() (hourly by default), so each run deletes about an hour of rows
 * and never holds a long lock.
 */
export interface RetentionPolicy {
  readonly decisionDays: number;
  readonly rollupDays: number;
}

const DAY_MS = 86_400_000;

export async function applyRetention(driver: SqlDriver, policy: RetentionPolicy, now: number): Promise<void> {
  const decisionCutoff = now - policy.decisionDays * DAY_MS;
  const rollupCutoff = now - policy.rollupDays * DAY_MS;
  await driver.transaction([
    { sql: "DELETE FROM parapet_decisions WHERE ts < ?", params: [decisionCutoff] },
    // Only minutes wholly before the cutoff: the cutoff's own minute may still hold rows.
    { sql: "DELETE FROM parapet_ip_minutes WHERE minute < ?", params: [minuteOf(decisionCutoff)] },
    { sql: "DELETE FROM parapet_rollups WHERE minute < ?", params: [rollupCutoff] },
    { sql: "DELETE FROM parapet_alerts WHERE ts < ?", params: [rollupCutoff] },
    { sql: "DELETE FROM parapet_rule_denials WHERE minute < ?", params: [rollupCutoff] },
    { sql: "DELETE FROM parapet_top_hourly WHERE hour < ?", params: [rollupCutoff] },
    { sql: "DELETE FROM parapet_top_hours WHERE hour < ?", params: [rollupCutoff] },
  ]);
}
