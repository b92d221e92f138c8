import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { migrate, observe, postgresLog } from "../src/index.js";
import { manualClock, parapet, recordingLogger, request } from "./helpers.js";
import { decisionLogSuite } from "./log-suite.js";
import { rollupSuite } from "./rollup-suite.js";

// Real PostgreSQL on loopback (CI starts it); each run uses its own schemas and drops them.
const CONNECTION = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const runId = randomBytes(4).toString("hex");
const schemas: string[] = [];
let available = true;

before(async () => {
  const client = new pg.Client({ connectionString: CONNECTION });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    available = false;
    console.log(`# PostgreSQL not reachable at ${CONNECTION} (${(error as Error).message}): postgres tests fail`);
  }
});

after(async () => {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect().catch(() => {});
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await client.end().catch(() => {});
});

function freshSchema(): string {
  const schema = `parapet_test_${runId}_${schemas.length}`;
  schemas.push(schema);
  return schema;
}

async function openPostgres() {
  assert.ok(available, "PostgreSQL must be running on 127.0.0.1:5432 (user postgres, db test)");
  return postgresLog({ connectionString: CONNECTION, schema: freshSchema() });
}
decisionLogSuite("postgres", openPostgres);
rollupSuite("postgres", openPostgres);

test("postgres: migrations are idempotent and recorded once", async () => {
  const driver = postgresLog({ connectionString: CONNECTION, schema: freshSchema() });
  await migrate(driver);
  await migrate(driver);
  const rows = await driver.all<{ version: number }>("SELECT version FROM parapet_migrations");
  assert.deepEqual(
    rows.map((r) => r.version),
    [1, 2, 3, 4],
  );
  await driver.close();
});

test("postgres: bad options are rejected at construction", () => {
  assert.throws(() => postgresLog({ connectionString: "" }), /connectionString/);
  assert.throws(() => postgresLog({ connectionString: CONNECTION, schema: "x; DROP TABLE y" }), /schema/);
  assert.throws(() => postgresLog({ connectionString: CONNECTION, maxConnections: 0 }), /maxConnections/);
});

test("postgres: a schema named by a reserved word (variadic, user, order) works", async () => {
  // The name pattern admits SQL keywords; written unquoted, CREATE SCHEMA and every table were a syntax error,
  // retried forever by the migration.
  assert.ok(available, "PostgreSQL must be running on 127.0.0.1:5432 (user postgres, db test)");
  schemas.push("variadic");
  const driver = postgresLog({ connectionString: CONNECTION, schema: "variadic" });
  try {
    await migrate(driver);
    await driver.transaction([
      {
        sql: "INSERT INTO parapet_rollups (minute, total, allowed, denied, errored, bots, attacks, status_4xx, status_5xx) VALUES (?, 1, 1, 0, 0, 0, 0, 0, 0)",
        params: [60_000],
      },
    ]);
    const rows = await driver.all<{ n: number }>('SELECT COUNT(*) AS n FROM "variadic".parapet_rollups');
    assert.equal(Number(rows[0]?.n), 1, "the tables are in that schema");
  } finally {
    await driver.close();
  }
});

test("postgres: a NUL in a user id, a path or an alert subject is stored as U+FFFD instead of failing its whole batch", async () => {
  // PostgreSQL text refuses U+0000; one value carrying it (a user name from a login form) failed the transaction, and
  // every decision of the batch and those queued behind it were dropped, here all 41.
  const driver = await openPostgres();
  const logger = recordingLogger();
  const clock = manualClock(Date.UTC(2025, 0, 3, 12));
  const observed = observe({ store: driver, clock, logger, handleSignals: false, worker: false });
  try {
    await observed.ready;
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await guard.protect(request("192.0.2.7", `/page/${i}`))).id);
    const odd = await guard.protect(request("192.0.2.7", "/a\u0000b"), { userId: "mallory\u0000admin" });
    await observed.flush();
    assert.equal(observed.stats().queue.written, 41, logger.lines.join("\n"));
    assert.equal(observed.stats().queue.dropped, 0);
    const stored = await observed.query?.decision(odd.id);
    assert.equal(stored?.userId, "mallory\uFFFDadmin");
    assert.equal(stored?.path, "/a\uFFFDb");
    // A reader searching with the raw value finds the row, rather than an error from the server.
    const found = await observed.query?.decisions({ from: clock.now() - 60_000, to: clock.now() + 60_000, userId: "mallory\u0000admin" });
    assert.deepEqual(
      found?.decisions.map((d) => d.id),
      [odd.id],
    );
    await driver.transaction([
      {
        sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params: ["nul-alert", clock.now(), "brute_force", "warning", "user:root\u0000", "s", "{}"],
      },
    ]);
    const alerts = await driver.all<{ subject: string }>("SELECT subject FROM parapet_alerts WHERE id = 'nul-alert'");
    assert.deepEqual(alerts, [{ subject: "user:root\uFFFD" }]);
  } finally {
    await observed.close();
  }
});

test("postgres: a clock that reads fractions of a millisecond still logs decisions, alerts and retention", async () => {
  // performance.timeOrigin + performance.now() is a fine clock for parapet(); PostgreSQL's BIGINT refused its readings
  // ("invalid input syntax for type bigint"), and every row, alert, retention run and rollup failed with them.
  const driver = await openPostgres();
  const logger = recordingLogger();
  const base = manualClock(Date.UTC(2025, 0, 4, 12));
  const clock = { now: () => base.now() + 0.375 };
  const observed = observe({ store: driver, clock, logger, handleSignals: false, worker: false, detectors: { spike: false, scan: false } });
  try {
    await observed.ready;
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    const decision = await guard.protect(request("192.0.2.8", "/fraction"));
    observed.recordStatus(decision, 404);
    for (let i = 0; i < 30; i++) {
      observed.observer.onAuthEvent?.({ type: "failure", timestamp: clock.now(), ip: "192.0.2.9", user: `u${i}`, request: {} as never });
    }
    observed.tick(clock.now());
    await observed.flush();
    assert.deepEqual(logger.lines, [], "nothing failed");
    assert.equal(observed.stats().queue.dropped, 0);
    const stored = await observed.query?.decision(decision.id);
    assert.equal(stored?.ts, Math.floor(clock.now()));
    assert.equal(stored?.status, 404);
    const alerts = await driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_alerts");
    assert.ok(Number(alerts[0]?.n) > 0, "the brute-force alert is a row");
  } finally {
    await observed.close();
  }
});
