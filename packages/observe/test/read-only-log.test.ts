import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import { migrate, postgresLog, sqliteLog } from "../src/index.js";
import { tempDir } from "./helpers.js";

/**
 * `readOnly: true` is how a reader (the dashboard) opens someone's decision log: nothing may be created or changed,
 * whatever the name it was given points at.
 */
const dir = tempDir();
after(() => dir.remove());

/**
 * Another program's SQLite file, opened with the engine this Node runs safely: better-sqlite3 12 on Node >= 24 can
 * abort the test process when its objects are freed at exit (see sqlite.ts), which failed CI once.
 */
function openOtherProgramsDatabase(path: string): { exec(sql: string): void; close(): void } {
  const require = createRequire(import.meta.url);
  if (Number(process.versions.node.split(".")[0]) >= 24) {
    const { DatabaseSync } = require("node:sqlite") as { DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void } };
    return new DatabaseSync(path);
  }
  return new (require("better-sqlite3") as new (path: string) => { exec(sql: string): void; close(): void })(path);
}

const ALERT = {
  sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
  params: ["a1", 1, "scan", "warning", "ip:x", "s", "{}"],
};

test("sqlite readOnly: a missing file is an error, and neither it nor its folder is created", () => {
  const path = join(dir.path, "typo", "decisions.db");
  assert.throws(() => sqliteLog({ path, readOnly: true }), /cannot open .*typo.*for reading/);
  assert.equal(existsSync(join(dir.path, "typo")), false);
});

test("sqlite readOnly: an empty file stays empty, and a database of another app gets no tables", async () => {
  const empty = join(dir.path, "empty.db");
  writeFileSync(empty, "");
  const reader = sqliteLog({ path: empty, readOnly: true });
  await assert.rejects(migrate(reader), /readonly|read-only/i);
  await reader.close();
  assert.equal(statSync(empty).size, 0);

  // Another program's database, in the default rollback-journal mode.
  const other = join(dir.path, "other.db");
  const db = openOtherProgramsDatabase(other);
  db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
  db.close();
  const before = readFileSync(other);
  const otherReader = sqliteLog({ path: other, readOnly: true });
  const [mode] = await otherReader.all<{ journal_mode: string }>("PRAGMA journal_mode");
  assert.equal(mode?.journal_mode, "delete", "a reader does not switch the file to WAL");
  await assert.rejects(otherReader.transaction([ALERT]), /readonly|read-only|no such table/i);
  await assert.rejects(otherReader.exec("CREATE TABLE parapet_migrations (version INTEGER)"), /readonly|read-only/i);
  await otherReader.close();
  assert.deepEqual(readFileSync(other), before, "the file is byte for byte the same");
});

test("sqlite readOnly: reads a WAL log while its writer is open and after it closed, and refuses writes", async () => {
  const path = join(dir.path, "wal.db");
  const writer = sqliteLog({ path });
  await migrate(writer);
  await writer.transaction([ALERT]);
  const reader = sqliteLog({ path, readOnly: true });
  assert.equal(reader.reopen, undefined, "no log worker may be handed a reader");
  assert.deepEqual(ids(await reader.all<{ id: string }>("SELECT id FROM parapet_alerts")), ["a1"]);
  await assert.rejects(reader.transaction([{ ...ALERT, params: ["a2", ...ALERT.params.slice(1)] }]), /readonly/i);
  await reader.close();
  await writer.close();
  const later = sqliteLog({ path, readOnly: true });
  assert.deepEqual(ids(await later.all<{ id: string }>("SELECT id FROM parapet_alerts")), ["a1"]);
  await later.close();
  assert.throws(() => sqliteLog({ path: ":memory:", readOnly: true }), /readOnly/);
});

// Real PostgreSQL on loopback, as postgres-log.test.ts; skipped with a message when it is not running.
const CONNECTION = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const schemaBase = `parapet_ro_${randomBytes(4).toString("hex")}`;
const postgresSkip = await (async () => {
  const client = new pg.Client({ connectionString: CONNECTION, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return false;
  } catch (error) {
    return `no PostgreSQL at ${CONNECTION} (${(error as Error).message}); start it or set PARAPET_TEST_POSTGRES`;
  } finally {
    await client.end().catch(() => {});
  }
})();

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema]);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

after(async () => {
  if (postgresSkip) return;
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  for (const suffix of ["missing", "log"]) await client.query(`DROP SCHEMA IF EXISTS "${schemaBase}_${suffix}" CASCADE`);
  await client.end();
});

test("postgres readOnly: a schema that does not exist is not created, and a migration is refused", { skip: postgresSkip }, async () => {
  const schema = `${schemaBase}_missing`;
  const reader = postgresLog({ connectionString: CONNECTION, schema, readOnly: true });
  try {
    await assert.rejects(reader.all("SELECT version FROM parapet_migrations"), /does not exist/);
    await assert.rejects(migrate(reader), /read-only transaction/);
    assert.equal(reader.reopen, undefined, "no log worker may be handed a reader");
  } finally {
    await reader.close();
  }
  assert.equal(await schemaExists(schema), false);
});

test("postgres readOnly: reads an existing log and the server refuses writes", { skip: postgresSkip }, async () => {
  const schema = `${schemaBase}_log`;
  const writer = postgresLog({ connectionString: CONNECTION, schema });
  await migrate(writer);
  await writer.transaction([ALERT]);
  await writer.close();
  const reader = postgresLog({ connectionString: CONNECTION, schema, readOnly: true });
  try {
    assert.deepEqual(ids(await reader.all<{ id: string }>("SELECT id FROM parapet_alerts")), ["a1"]);
    await assert.rejects(reader.transaction([{ ...ALERT, params: ["a2", ...ALERT.params.slice(1)] }]), /read-only transaction/);
    await assert.rejects(reader.exec("DELETE FROM parapet_alerts"), /read-only transaction/);
    assert.deepEqual(ids(await reader.all<{ id: string }>("SELECT id FROM parapet_alerts")), ["a1"]);
  } finally {
    await reader.close();
  }
});

/** The ids of rows as either engine returns them (node:sqlite's rows have no prototype). */
function ids(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}
