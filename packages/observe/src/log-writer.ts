import type { Alert } from "./alerts/alert.js";
import type { DecisionBatch, StoredDecisionRow } from "./decision-batch.js";
import { type IpMinuteTracker, ipMinuteStatements } from "./ip-minutes.js";
import { isBot } from "./record.js";
import type { SqlStatement, SqlValue } from "./sql/driver.js";

/** What travels through the queue to the database. A batch of decisions counts as its rows (see `entriesIn`). */
export type LogEntry =
  | { readonly kind: "decisions"; readonly batch: DecisionBatch }
  | { readonly kind: "status"; readonly id: string; readonly status: number; readonly ts: number }
  | { readonly kind: "alert"; readonly alert: Alert };

/** The queue's weight of an entry: decisions count one each, like statuses and alerts. */
export function entriesIn(entry: LogEntry): number {
  return entry.kind === "decisions" ? entry.batch.count : 1;
}

const DECISION_COLUMNS = [
  "id",
  "ts",
  "conclusion",
  "denied",
  "reason_type",
  "rule_id",
  "status",
  "ip",
  "method",
  "path",
  "user_agent",
  "api_key",
  "user_id",
  "bot_class",
  "attack_class",
  "duration_ms",
  "results",
] as const;
/** Rows per INSERT: 50 × 17 parameters stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 50;
const MINUTE_MS = 60_000;

interface Rollup {
  total: number;
  allowed: number;
  denied: number;
  errored: number;
  bots: number;
  attacks: number;
  status4xx: number;
  status5xx: number;
}

/** One batch's transaction, and the IP minutes it stores (for the tracker to remember once it commits). */
export interface BatchStatements {
  readonly statements: SqlStatement[];
  readonly ipMinutes: Map<number, Set<string>>;
}

/** Turns one batch into the statements of one transaction: rows, status updates, IP minutes, minute rollups, alerts. */
export function statementsFor(batch: readonly LogEntry[], tracker: IpMinuteTracker): BatchStatements {
  const statements: SqlStatement[] = [];
  const rollups = new Map<number, Rollup>();
  // Rows come in time order: the minute changes rarely, so the last one's rollup is checked first.
  let lastMinute = Number.NaN;
  let lastRollup: Rollup | undefined;
  const rollupOf = (ts: number): Rollup => {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    if (minute === lastMinute && lastRollup) return lastRollup;
    let rollup = rollups.get(minute);
    if (!rollup) {
      rollup = { total: 0, allowed: 0, denied: 0, errored: 0, bots: 0, attacks: 0, status4xx: 0, status5xx: 0 };
      rollups.set(minute, rollup);
    }
    lastMinute = minute;
    lastRollup = rollup;
    return rollup;
  };
  const later: SqlStatement[] = [];
  // Denials per minute and rule: few keys per batch (rules are few), so the dashboard's split costs a handful of upserts.
  const ruleDenials = new Map<string, { minute: number; ruleId: string; denied: number }>();
  const unseen = tracker.unseen();
  // Sized once per statement and filled by index: pushing 17 values at a time kept growing the array.
  let params = new Array<SqlValue>(ROWS_PER_INSERT * DECISION_COLUMNS.length);
  let rows = 0;
  const storeRow = (row: StoredDecisionRow): void => {
    setDecisionParams(params, rows * DECISION_COLUMNS.length, row);
    if (++rows === ROWS_PER_INSERT) {
      statements.push({ sql: insertSql(rows), params });
      params = new Array<SqlValue>(ROWS_PER_INSERT * DECISION_COLUMNS.length);
      rows = 0;
    }
    unseen.add(row.ts, row.ip);
    const rollup = rollupOf(row.ts);
    rollup.total++;
    if (row.conclusion === "ERROR") rollup.errored++;
    if (row.denied) {
      rollup.denied++;
      countRuleDenial(ruleDenials, row);
    } else rollup.allowed++;
    if (isBot(row.botClass)) rollup.bots++;
    if (row.attackClass !== null) rollup.attacks++;
    countStatus(rollup, row.status);
  };

  for (const entry of batch) {
    if (entry.kind === "decisions") {
      entry.batch.forEachStored(storeRow);
    } else if (entry.kind === "status") {
      // Statuses follow their decision's INSERT in statement order, so an update in the same batch finds the row.
      later.push({ sql: "UPDATE parapet_decisions SET status = ? WHERE id = ?", params: [entry.status, entry.id] });
      countStatus(rollupOf(entry.ts), entry.status);
    } else {
      const { alert } = entry;
      later.push({
        sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        params: [alert.id, alert.ts, alert.kind, alert.severity, alert.subject, alert.summary, JSON.stringify(alert.evidence)],
      });
    }
  }
  if (rows > 0) {
    params.length = rows * DECISION_COLUMNS.length;
    statements.push({ sql: insertSql(rows), params });
  }
  const ipMinutes = unseen.pairs();
  statements.push(...ipMinuteStatements(ipMinutes));
  statements.push(...later);
  for (const [minute, r] of rollups) {
    statements.push({
      sql: `INSERT INTO parapet_rollups (minute, total, allowed, denied, errored, bots, attacks, status_4xx, status_5xx)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (minute) DO UPDATE SET total = parapet_rollups.total + excluded.total,
  allowed = parapet_rollups.allowed + excluded.allowed, denied = parapet_rollups.denied + excluded.denied,
  errored = parapet_rollups.errored + excluded.errored, bots = parapet_rollups.bots + excluded.bots,
  attacks = parapet_rollups.attacks + excluded.attacks, status_4xx = parapet_rollups.status_4xx + excluded.status_4xx,
  status_5xx = parapet_rollups.status_5xx + excluded.status_5xx`,
      params: [minute, r.total, r.allowed, r.denied, r.errored, r.bots, r.attacks, r.status4xx, r.status5xx],
    });
  }
  for (const { minute, ruleId, denied } of ruleDenials.values()) {
    statements.push({
      sql: `INSERT INTO parapet_rule_denials (minute, rule_id, denied) VALUES (?, ?, ?)
ON CONFLICT (minute, rule_id) DO UPDATE SET denied = parapet_rule_denials.denied + excluded.denied`,
      params: [minute, ruleId, denied],
    });
  }
  return { statements, ipMinutes };
}

/** The same key as deniedByRule() over raw rows: a denial without a deciding rule counts as "(none)". */
function countRuleDenial(counts: Map<string, { minute: number; ruleId: string; denied: number }>, row: StoredDecisionRow): void {
  const minute = Math.floor(row.ts / MINUTE_MS) * MINUTE_MS;
  const ruleId = row.ruleId ?? "(none)";
  const key = `${minute}\n${ruleId}`;
  const count = counts.get(key);
  if (count) count.denied++;
  else counts.set(key, { minute, ruleId, denied: 1 });
}

function countStatus(rollup: Rollup, status: number | null): void {
  if (status === null) return;
  if (status >= 400 && status < 500) rollup.status4xx++;
  else if (status >= 500 && status < 600) rollup.status5xx++;
}

/** The row's values at params[at…], in DECISION_COLUMNS order. */
function setDecisionParams(params: SqlValue[], at: number, r: StoredDecisionRow): void {
  params[at] = r.id;
  params[at + 1] = r.ts;
  params[at + 2] = r.conclusion;
  params[at + 3] = r.denied ? 1 : 0;
  params[at + 4] = r.reasonType;
  params[at + 5] = r.ruleId;
  params[at + 6] = r.status;
  params[at + 7] = r.ip;
  params[at + 8] = r.method;
  params[at + 9] = r.path;
  params[at + 10] = r.userAgent;
  params[at + 11] = r.apiKey;
  params[at + 12] = r.userId;
  params[at + 13] = r.botClass;
  params[at + 14] = r.attackClass;
  params[at + 15] = r.durationMs;
  params[at + 16] = r.results;
}

/** The multi-row INSERT text for `rows` rows, built once per row count (the prepared-statement cache keys on it). */
const insertSqlByRows = new Map<number, string>();
function insertSql(rows: number): string {
  let sql = insertSqlByRows.get(rows);
  if (sql === undefined) {
    const row = `(${DECISION_COLUMNS.map(() => "?").join(", ")})`;
    sql = `INSERT INTO parapet_decisions (${DECISION_COLUMNS.join(", ")}) VALUES ${Array.from({ length: rows }, () => row).join(", ")} ON CONFLICT (id) DO NOTHING`;
    insertSqlByRows.set(rows, sql);
  }
  return sql;
}
