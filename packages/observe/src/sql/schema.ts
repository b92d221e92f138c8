import type { SqlDriver } from "./driver.js";

/**
 * The decision-log schema, shared by SQLite and PostgreSQL and applied by
 * numbered migrations (recorded in `parapet_migrations`, never edited once
 * released: add a new one). The dashboard reads these tables through
 * `query.ts`; the columns are documented in the package header (index.ts).
 *
 * Types are chosen to mean the same in both engines: BIGINT for epoch
 * milliseconds, TEXT for JSON (read back with JSON.parse), INTEGER 0/1 flags.
 * A migration may differ by dialect in storage details only (SQLite's
 * WITHOUT ROWID), never in tables or columns.
 */
const MIGRATIONS: readonly { readonly version: number; readonly sql: string | ((dialect: SqlDriver["dialect"]) => string) }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS parapet_decisions (
  id TEXT PRIMARY KEY,
  ts BIGINT NOT NULL,
  conclusion TEXT NOT NULL,
  denied INTEGER NOT NULL,
  reason_type TEXT NOT NULL,
  rule_id TEXT,
  status INTEGER,
  ip TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  user_agent TEXT,
  api_key TEXT,
  user_id TEXT,
  bot_class TEXT,
  attack_class TEXT,
  duration_ms DOUBLE PRECISION NOT NULL,
  results TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parapet_decisions_ts ON parapet_decisions (ts, id);
CREATE INDEX IF NOT EXISTS parapet_decisions_ip_ts ON parapet_decisions (ip, ts);
CREATE TABLE IF NOT EXISTS parapet_rollups (
  minute BIGINT PRIMARY KEY,
  total BIGINT NOT NULL,
  allowed BIGINT NOT NULL,
  denied BIGINT NOT NULL,
  errored BIGINT NOT NULL,
  bots BIGINT NOT NULL,
  attacks BIGINT NOT NULL,
  status_4xx BIGINT NOT NULL,
  status_5xx BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS parapet_alerts (
  id TEXT PRIMARY KEY,
  ts BIGINT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  subject TEXT NOT NULL,
  summary TEXT NOT NULL,
  evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS parapet_alerts_ts ON parapet_alerts (ts, id);
`,
  },
  {
    // Rollups for the dashboard over long ranges, so a 24-hour view of a million decisions reads thousands of rows.
    // parapet_rule_denials: denials per minute and deciding rule, written with the minute rollups (backfilled here).
    // parapet_top_hourly: the busiest values of each top() dimension per closed hour (see top-rollup.ts);
    // parapet_top_hours marks the hours rolled up, so a query knows which hours it may read there.
    version: 2,
    sql: `
CREATE TABLE IF NOT EXISTS parapet_rule_denials (
  minute BIGINT NOT NULL,
  rule_id TEXT NOT NULL,
  denied BIGINT NOT NULL,
  PRIMARY KEY (minute, rule_id)
);
INSERT INTO parapet_rule_denials (minute, rule_id, denied)
  SELECT (ts / 60000) * 60000, COALESCE(rule_id, '(none)'), COUNT(*) FROM parapet_decisions WHERE denied = 1 GROUP BY 1, 2
  ON CONFLICT (minute, rule_id) DO NOTHING;
CREATE TABLE IF NOT EXISTS parapet_top_hourly (
  hour BIGINT NOT NULL,
  dimension TEXT NOT NULL,
  value TEXT NOT NULL,
  total BIGINT NOT NULL,
  denied BIGINT NOT NULL,
  PRIMARY KEY (hour, dimension, value)
);
CREATE TABLE IF NOT EXISTS parapet_top_hours (
  hour BIGINT PRIMARY KEY,
  rolled_at BIGINT NOT NULL
);
`,
  },
  {
    // The (ip, ts) index put every decision's insert at a random place in a B-tree: a dirty page per row, most of
    // what the log worker spent per decision. parapet_ip_minutes (see ip-minutes.ts) lists the minutes each IP has
    // decisions in instead, one row per IP and minute, and query.decisions({ ip }) reads only those minutes.
    // Backfilled from the rows already stored before the index goes. In SQLite the pairs are the whole row, so the
    // table is its own primary-key B-tree (WITHOUT ROWID); the minute index serves retention.
    version: 3,
    sql: (dialect) => `
CREATE TABLE IF NOT EXISTS parapet_ip_minutes (
  ip TEXT NOT NULL,
  minute BIGINT NOT NULL,
  PRIMARY KEY (ip, minute)
)${dialect === "sqlite" ? " WITHOUT ROWID" : ""};
CREATE INDEX IF NOT EXISTS parapet_ip_minutes_minute ON parapet_ip_minutes (minute);
INSERT INTO parapet_ip_minutes (ip, minute)
  SELECT ip, (ts / 60000) * 60000 FROM parapet_decisions GROUP BY 1, 2
  ON CONFLICT (ip, minute) DO NOTHING;
DROP INDEX IF EXISTS parapet_decisions_ip_ts;
`,
  },
  {
    // Denied, errored, rule-decided or attack rows, the ones a search for denials, a rule or an attack class looks
    // for: few in normal traffic, so this partial index costs the allowed decisions that make up most of the log
    // nothing but the test of its condition, and such a search over a week reads them only (query.ts, FLAGGED: the
    // condition is repeated there word for word, which is how SQLite and PostgreSQL see that a query may use it).
    version: 4,
    sql: `
CREATE INDEX IF NOT EXISTS parapet_decisions_flagged ON parapet_decisions (ts, id)
  WHERE (rule_id IS NOT NULL OR attack_class IS NOT NULL OR conclusion <> 'ALLOW');
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations not yet recorded. Safe to run at every start and from two processes. */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.exec("CREATE TABLE IF NOT EXISTS parapet_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
  const rows = await driver.all<{ version: number }>("SELECT version FROM parapet_migrations");
  const applied = new Set(rows.map((row) => Number(row.version)));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await driver.exec(typeof migration.sql === "string" ? migration.sql : migration.sql(driver.dialect));
    // ON CONFLICT DO NOTHING: another process may have raced us; the DDL above is idempotent.
    await driver.transaction([
      {
        sql: "INSERT INTO parapet_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING",
        params: [migration.version, Date.now()],
      },
    ]);
  }
}
