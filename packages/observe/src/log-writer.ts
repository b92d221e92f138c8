import type { Alert } from "./alerts/alert.js";
import { type IpMinuteTracker, ipMinuteStatements } from "./ip-minutes.js";
import { type DecisionRecord, isBot } from "./record.js";
import { encodeResults } from "./results-codec.js";
import type { SqlStatement, SqlValue } from "./sql/driver.js";

/** What travels through the queue to the database. */
export type LogEntry =
  | { readonly kind: "decision"; readonly record: DecisionRecord }
  | { readonly kind: "status"; readonly id: string; readonly status: number; readonly ts: number }
  | { readonly kind: "alert"; readonly alert: Alert };

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
  const decisions: DecisionRecord[] = [];
  const rollups = new Map<number, Rollup>();
  const rollupOf = (ts: number): Rollup => {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    let rollup = rollups.get(minute);
    if (!rollup) {
      rollup = { total: 0, allowed: 0, denied: 0, errored: 0, bots: 0, attacks: 0, status4xx: 0, status5xx: 0 };
      rollups.set(minute, rollup);
    }
    return rollup;
  };
  const later: SqlStatement[] = [];
  // Denials per minute and rule: few keys per batch (rules are few), so the dashboard's split costs a handful of upserts.
  const ruleDenials = new Map<string, { minute: number; ruleId: string; denied: number }>();

  for (const entry of batch) {
    if (entry.kind === "decision") {
      const record = entry.record;
      decisions.push(record);
      const rollup = rollupOf(record.ts);
      rollup.total++;
      if (record.conclusion === "ERROR") rollup.errored++;
      if (record.denied) {
        rollup.denied++;
        countRuleDenial(ruleDenials, record);
      } else rollup.allowed++;
      if (isBot(record)) rollup.bots++;
      if (record.attackClass !== null) rollup.attacks++;
      countStatus(rollup, record.status);
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

  for (let start = 0; start < decisions.length; start += ROWS_PER_INSERT) {
    const end = Math.min(decisions.length, start + ROWS_PER_INSERT);
    const params: SqlValue[] = [];
    for (let i = start; i < end; i++) pushDecisionParams(params, decisions[i]!);
    statements.push({ sql: insertSql(end - start), params });
  }
  const ipMinutes = tracker.unseen(decisions);
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
function countRuleDenial(counts: Map<string, { minute: number; ruleId: string; denied: number }>, record: DecisionRecord): void {
  const minute = Math.floor(record.ts / MINUTE_MS) * MINUTE_MS;
  const ruleId = record.ruleId ?? "(none)";
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

function pushDecisionParams(params: SqlValue[], r: DecisionRecord): void {
  params.push(
    r.id,
    r.ts,
    r.conclusion,
    r.denied ? 1 : 0,
    r.reasonType,
    r.ruleId,
    r.status,
    r.ip,
    r.method,
    r.path,
    r.userAgent,
    r.apiKey,
    r.userId,
    r.botClass,
    r.attackClass,
    r.durationMs,
    r.encodedResults ?? encodeResults(r.results),
  );
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
