import type { SqlDriver } from "./driver.js";

/**
 * The decision-log schema, shared by SQLite and PostgreSQL and applied by
 * numbered migrations (recorded in `parapet_migrations`, never edited once
 * released: add a new one). The dashboard reads these tables through
 * `query.ts`; the columns are documented in the package header (index.ts).
 *
 * Types are chosen to mean the same in both engines: BIGINT for epoch
 * milliseconds, TEXT for JSON (read back with JSON.parse), INTEGER 0/1 flags.
 */
const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations not yet recorded. Safe to run at every start and from two processes. */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.exec("CREATE TABLE IF NOT EXISTS parapet_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
  const rows = await driver.all<{ version: number }>("SELECT version FROM parapet_migrations");
  const applied = new Set(rows.map((row) => Number(row.version)));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await driver.exec(migration.sql);
    // ON CONFLICT DO NOTHING: another process may have raced us; the DDL above is idempotent.
    await driver.transaction([
      {
        sql: "INSERT INTO parapet_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING",
        params: [migration.version, Date.now()],
      },
    ]);
  }
}
