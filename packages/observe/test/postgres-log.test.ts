import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { migrate, postgresLog } from "../src/index.js";
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
