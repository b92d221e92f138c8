import { optionError, type RuleResult } from "@parapet/core";
import type { Alert, AlertKind } from "./alerts/alert.js";
import { spansOfIp } from "./ip-minutes.js";
import { decodeResults } from "./results-codec.js";
import { spansByRows } from "./scan-spans.js";
import type { SqlDriver, SqlValue } from "./sql/driver.js";
import { topFromRollups } from "./top-query.js";
import { HOUR_MS, TOP_COLUMNS as TOP_ROLLUP_COLUMNS } from "./top-rollup.js";

/**
 * The read side of the decision log, for the dashboard and for scripts. The
 * same SQL runs on SQLite and PostgreSQL. Every function takes a time range
 * in epoch milliseconds (`from` inclusive, `to` exclusive); bad arguments
 * throw a PARAPET_E_INVALID_OPTION error naming the argument (they are a
 * caller's bug, not a request-time failure).
 */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface OverviewPoint {
  /** Start of the bucket, epoch ms. */
  readonly ts: number;
  readonly total: number;
  readonly allowed: number;
  readonly denied: number;
  readonly errored: number;
  readonly bots: number;
  readonly attacks: number;
  readonly status4xx: number;
  readonly status5xx: number;
}

export type TopDimension = "ip" | "apiKey" | "userId" | "path" | "botClass" | "attackClass" | "ruleId";

/** Denials of one rule in one bucket (see `deniedByRule`). */
export interface RuleDenials {
  readonly ts: number;
  readonly ruleId: string;
  readonly denied: number;
}

export interface TopEntry {
  readonly value: string;
  readonly total: number;
  readonly denied: number;
}

export interface DecisionFilter extends TimeRange {
  readonly conclusion?: "ALLOW" | "DENY" | "ERROR";
  readonly ip?: string;
  readonly path?: string;
  readonly apiKey?: string;
  readonly userId?: string;
  readonly botClass?: string;
  readonly attackClass?: string;
  readonly ruleId?: string;
  readonly status?: number;
  /** Rows per page, 1-500. Default 50. */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly cursor?: string;
}

export interface StoredDecision {
  readonly id: string;
  readonly ts: number;
  readonly conclusion: string;
  readonly denied: boolean;
  readonly reasonType: string;
  readonly ruleId: string | null;
  readonly status: number | null;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | null;
  readonly apiKey: string | null;
  readonly userId: string | null;
  readonly botClass: string | null;
  readonly attackClass: string | null;
  readonly durationMs: number;
  readonly results: readonly RuleResult[];
}

export interface DecisionPage {
  readonly decisions: readonly StoredDecision[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  readonly next?: string;
  /**
   * Set when a filtered search stopped having read its budget of rows (see SCAN_BUDGET_ROWS): every match newer
   * than this time is in `decisions` (possibly none), older ones were not searched yet; `next` goes on from here.
   */
  readonly searchedFrom?: number;
}

export interface AlertFilter extends TimeRange {
  readonly kind?: AlertKind;
  readonly limit?: number;
}

export interface DecisionLogQuery {
  /** Counts per bucket from the minute rollups (kept 90 days by default). `bucketMinutes` default 1. */
  overview(range: TimeRange & { readonly bucketMinutes?: number }): Promise<OverviewPoint[]>;
  /** Denied decisions per bucket and deciding rule, over raw decisions (denials only). `bucketMinutes` default 1. */
  deniedByRule(range: TimeRange & { readonly bucketMinutes?: number }): Promise<RuleDenials[]>;
  /** The busiest values of one dimension over raw decisions (kept 7 days by default). */
  top(range: TimeRange & { readonly by: TopDimension; readonly limit?: number }): Promise<TopEntry[]>;
  /** Newest first, keyset-paginated. */
  decisions(filter: DecisionFilter): Promise<DecisionPage>;
  decision(id: string): Promise<StoredDecision | undefined>;
  alerts(filter: AlertFilter): Promise<Alert[]>;
  /** Spike findings (kind "spike"), with the classifier's verdict and evidence. */
  spikes(filter: TimeRange & { readonly limit?: number }): Promise<Alert[]>;
}

const TOP_COLUMNS: Readonly<Record<TopDimension, string>> = TOP_ROLLUP_COLUMNS;
/**
 * Ranges longer than this read the rollups (parapet_rule_denials, parapet_top_hourly); shorter ones read raw
 * rows, which stay exact and are few. Two hours is where a busy log's raw scan starts to be felt in the UI.
 */
const ROLLUP_RANGE_MS = 2 * HOUR_MS;
const FILTER_COLUMNS = [
  ["conclusion", "conclusion"],
  ["ip", "ip"],
  ["path", "path"],
  ["apiKey", "api_key"],
  ["userId", "user_id"],
  ["botClass", "bot_class"],
  ["attackClass", "attack_class"],
  ["ruleId", "rule_id"],
] as const;
/**
 * Decisions worth an index of their own: denied, errored, or with a deciding rule or an attack class. They are few in
 * normal traffic, so the partial index over them (migration 4) costs an insert almost nothing, and a search for
 * denials, a rule or an attack over a week reads those rows only. The same text is added to such a query so both
 * engines see it implies the index's condition.
 */
const FLAGGED = "(rule_id IS NOT NULL OR attack_class IS NOT NULL OR conclusion <> 'ALLOW')";
/**
 * Rows a filtered decisions() call reads before it returns what it found, with a cursor to go on from (about 60 ms
 * of SQLite on this project's 2-core test machine), so a rare value over a week of a busy log answers in bounded
 * time instead of reading every row of the week in one query.
 */
const SCAN_BUDGET_ROWS = 200_000;
const ROWS_PER_SPAN = 50_000;
const DECISION_SELECT =
  "SELECT id, ts, conclusion, denied, reason_type, rule_id, status, ip, method, path, user_agent, api_key, user_id, bot_class, attack_class, duration_ms, results FROM parapet_decisions";

export interface QueryOptions {
  /**
   * Rows a filtered decisions() call may read before it returns what it found so far with `searchedFrom` and a
   * cursor to go on from. Default 200,000; `Infinity` searches the whole range in one call (scripts).
   */
  readonly scanBudgetRows?: number;
}

export function createQuery(driver: SqlDriver, options: QueryOptions = {}): DecisionLogQuery {
  const budget = options.scanBudgetRows ?? SCAN_BUDGET_ROWS;
  if (!(budget === Number.POSITIVE_INFINITY || (Number.isInteger(budget) && budget > 0)))
    throw optionError("createQuery", "`scanBudgetRows` must be a positive integer or Infinity");
  // Several spans per budget, so a search stops close to it.
  const rowsPerSpan = Math.max(1, Math.min(ROWS_PER_SPAN, Math.ceil(budget / 4)));
  return {
    async overview(range) {
      checkRange(range, "overview");
      const bucketMinutes = range.bucketMinutes ?? 1;
      if (!Number.isInteger(bucketMinutes) || bucketMinutes < 1 || bucketMinutes > 1440) {
        throw optionError("query.overview", "`bucketMinutes` must be an integer from 1 to 1440");
      }
      const bucketMs = bucketMinutes * 60_000;
      // The bucket is a validated integer written into the SQL as a literal: bound numbers are REALs in
      // better-sqlite3 (no integer division) and PostgreSQL cannot group by an expression over parameters.
      const rows = await driver.all<Record<string, number>>(
        `SELECT (minute / ${bucketMs}) * ${bucketMs} AS ts, SUM(total) AS total, SUM(allowed) AS allowed, SUM(denied) AS denied,
  SUM(errored) AS errored, SUM(bots) AS bots, SUM(attacks) AS attacks, SUM(status_4xx) AS s4, SUM(status_5xx) AS s5
FROM parapet_rollups WHERE minute >= ? AND minute < ? GROUP BY 1 ORDER BY 1`,
        [range.from, range.to],
      );
      return rows.map((r) => ({
        ts: Number(r.ts),
        total: Number(r.total),
        allowed: Number(r.allowed),
        denied: Number(r.denied),
        errored: Number(r.errored),
        bots: Number(r.bots),
        attacks: Number(r.attacks),
        status4xx: Number(r.s4),
        status5xx: Number(r.s5),
      }));
    },

    async deniedByRule(range) {
      checkRange(range, "deniedByRule");
      const bucketMs = checkBucketMinutes(range.bucketMinutes, "deniedByRule") * 60_000;
      // Same literal-bucket reasoning as overview(). Short ranges read only denied rows, through the (ts, id) index;
      // long ones the per-minute rollup (so a range edge counts whole minutes, as overview() does).
      const rows = await driver.all<{ ts: number; rule_id: string; denied: number }>(
        range.to - range.from > ROLLUP_RANGE_MS
          ? `SELECT (minute / ${bucketMs}) * ${bucketMs} AS ts, rule_id, SUM(denied) AS denied
FROM parapet_rule_denials WHERE minute >= ? AND minute < ? GROUP BY 1, 2 ORDER BY 1, 2`
          : `SELECT (ts / ${bucketMs}) * ${bucketMs} AS ts, COALESCE(rule_id, '(none)') AS rule_id, COUNT(*) AS denied
FROM parapet_decisions WHERE ts >= ? AND ts < ? AND denied = 1 AND ${FLAGGED} GROUP BY 1, 2 ORDER BY 1, 2`,
        [range.from, range.to],
      );
      return rows.map((r) => ({ ts: Number(r.ts), ruleId: String(r.rule_id), denied: Number(r.denied) }));
    },

    async top(range) {
      checkRange(range, "top");
      const column = TOP_COLUMNS[range.by];
      if (!column) throw optionError("query.top", `\`by\` must be one of ${Object.keys(TOP_COLUMNS).join(", ")}`);
      const limit = checkLimit(range.limit, 10, "top");
      if (range.to - range.from > ROLLUP_RANGE_MS) return topFromRollups(driver, range.by, column, range, limit);
      const rows = await driver.all<{ value: string; total: number; denied: number }>(
        `SELECT ${column} AS value, COUNT(*) AS total, SUM(denied) AS denied FROM parapet_decisions
WHERE ts >= ? AND ts < ? AND ${column} IS NOT NULL GROUP BY ${column} ORDER BY total DESC, value LIMIT ?`,
        [range.from, range.to, limit],
      );
      return rows.map((r) => ({ value: String(r.value), total: Number(r.total), denied: Number(r.denied) }));
    },

    async decisions(filter) {
      checkRange(filter, "decisions");
      const limit = checkLimit(filter.limit, 50, "decisions");
      // The time range comes first in every query (see `rows`); these conditions follow it.
      const where: string[] = [];
      const params: SqlValue[] = [];
      for (const [field, column] of FILTER_COLUMNS) {
        const value = filter[field];
        if (value === undefined) continue;
        if (typeof value !== "string") throw optionError("query.decisions", `\`${field}\` must be a string`);
        where.push(`${column} = ?`);
        params.push(value);
      }
      if (filter.status !== undefined) {
        if (!Number.isInteger(filter.status)) throw optionError("query.decisions", "`status` must be an HTTP status code");
        where.push("status = ?");
        params.push(filter.status);
      }
      const filtered = where.length > 0;
      let to = filter.to;
      if (filter.cursor !== undefined) {
        const { ts, id } = parseCursor(filter.cursor);
        where.push("(ts < ? OR (ts = ? AND id < ?))");
        params.push(ts, ts, id);
        // A search stopped at `ts` (an empty id) goes on strictly before it: its spans must not weigh that minute's
        // rows again, or a minute over the budget stopped every later call at the same place.
        to = Math.min(to, id === "" ? ts : ts + 1);
      }
      const flagged =
        filter.conclusion === "DENY" || filter.conclusion === "ERROR" || filter.ruleId !== undefined || filter.attackClass !== undefined;
      if (flagged) where.push(FLAGGED);
      const conditions = where.map((condition) => ` AND ${condition}`).join("");
      const rows = (from: number, before: number, wanted: number) =>
        driver.all<Record<string, unknown>>(`${DECISION_SELECT} WHERE ts >= ? AND ts < ?${conditions} ORDER BY ts DESC, id DESC LIMIT ?`, [
          from,
          before,
          ...params,
          wanted,
        ]);
      let found: Record<string, unknown>[] = [];
      let searchedFrom: number | undefined;
      if (filter.ip !== undefined) {
        // No index leads from an IP to its rows (see ip-minutes.ts): read only the minutes it was seen in, newest first.
        for (const span of await spansOfIp(driver, filter.ip, filter.from, to)) {
          found.push(...(await rows(span.from, span.to, limit + 1 - found.length)));
          if (found.length > limit) break;
        }
      } else if (!filtered || budget === Number.POSITIVE_INFINITY) found = await rows(filter.from, to, limit + 1);
      else {
        // A filter the index does not lead with: read the range in spans of known size, newest first, and stop
        // between two once the budget is spent (a span is read whole, so every match newer than it is returned).
        let read = 0;
        for (const span of await spansByRows(driver, filter.from, to, rowsPerSpan, flagged ? "flagged" : "all")) {
          if (read >= budget) {
            searchedFrom = span.to;
            break;
          }
          found.push(...(await rows(span.from, span.to, limit + 1 - found.length)));
          if (found.length > limit) break;
          read += span.rows;
        }
      }
      const decisions = found.slice(0, limit).map(toStoredDecision);
      const last = decisions.at(-1);
      if (found.length > limit && last) return { decisions, next: `${last.ts}:${last.id}` };
      // Every match at or after searchedFrom is in this page: the next one starts strictly before it (an empty id).
      if (searchedFrom !== undefined) return { decisions, next: `${searchedFrom}:`, searchedFrom };
      return { decisions };
    },

    async decision(id) {
      if (typeof id !== "string" || id.length === 0 || id.length > 128) throw optionError("query.decision", "`id` must be a decision id");
      const rows = await driver.all<Record<string, unknown>>(`${DECISION_SELECT} WHERE id = ?`, [id]);
      return rows[0] ? toStoredDecision(rows[0]) : undefined;
    },

    alerts: (filter) => listAlerts(driver, filter, "alerts"),
    spikes: (filter) => listAlerts(driver, { ...filter, kind: "spike" }, "spikes"),
  };
}

async function listAlerts(driver: SqlDriver, filter: AlertFilter, where: string): Promise<Alert[]> {
  checkRange(filter, where);
  const limit = checkLimit(filter.limit, 100, where);
  const params: SqlValue[] = [filter.from, filter.to];
  let sql = "SELECT id, ts, kind, severity, subject, summary, evidence FROM parapet_alerts WHERE ts >= ? AND ts < ?";
  if (filter.kind !== undefined) {
    sql += " AND kind = ?";
    params.push(filter.kind);
  }
  params.push(limit);
  const rows = await driver.all<Record<string, unknown>>(`${sql} ORDER BY ts DESC, id DESC LIMIT ?`, params);
  return rows.map((r) => ({
    id: String(r.id),
    ts: Number(r.ts),
    kind: String(r.kind) as Alert["kind"],
    severity: String(r.severity) as Alert["severity"],
    subject: String(r.subject),
    summary: String(r.summary),
    evidence: JSON.parse(String(r.evidence)) as Alert["evidence"],
  }));
}

function toStoredDecision(r: Record<string, unknown>): StoredDecision {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: String(r.id),
    ts: Number(r.ts),
    conclusion: String(r.conclusion),
    denied: Number(r.denied) === 1,
    reasonType: String(r.reason_type),
    ruleId: text(r.rule_id),
    status: r.status === null || r.status === undefined ? null : Number(r.status),
    ip: String(r.ip),
    method: String(r.method),
    path: String(r.path),
    userAgent: text(r.user_agent),
    apiKey: text(r.api_key),
    userId: text(r.user_id),
    botClass: text(r.bot_class),
    attackClass: text(r.attack_class),
    durationMs: Number(r.duration_ms),
    results: decodeResults(String(r.results)),
  };
}

function checkRange(range: TimeRange, where: string): void {
  if (!range || !Number.isFinite(range.from) || !Number.isFinite(range.to) || range.from > range.to) {
    throw optionError(`query.${where}`, "pass { from, to } as epoch milliseconds with from <= to");
  }
}

function checkBucketMinutes(bucketMinutes: number | undefined, where: string): number {
  const value = bucketMinutes ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > 1440)
    throw optionError(`query.${where}`, "`bucketMinutes` must be an integer from 1 to 1440");
  return value;
}

function checkLimit(limit: number | undefined, fallback: number, where: string): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw optionError(`query.${where}`, "`limit` must be an integer from 1 to 500");
  return limit;
}

function parseCursor(cursor: string): { ts: number; id: string } {
  const match = typeof cursor === "string" ? /^(\d{1,16}):([^:]{0,128})$/.exec(cursor) : null;
  if (!match) throw optionError("query.decisions", "`cursor` is not one this query returned; pass the `next` value of the previous page");
  return { ts: Number(match[1]), id: match[2]! };
}
