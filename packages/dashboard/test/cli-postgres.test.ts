import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { migrate, postgresLog } from "@parapet/observe";
import pg from "pg";
import { run } from "../src/cli.js";
import { bearer, get } from "./client.js";
import { cliIo as io } from "./helpers.js";
import { postgresSkipReason, TEST_POSTGRES_URL } from "./postgres.js";

/** `parapet dashboard --postgres` against a real PostgreSQL on loopback; skipped with a message when it is absent. */
const url = TEST_POSTGRES_URL;
const base = `dashboard_cli_${randomBytes(4).toString("hex")}`;
const skip = await postgresSkipReason();

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const tablesIn = async (schema: string) =>
  (await sql<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema])).map(
    (r) => r.table_name,
  );
const schemaExists = async (schema: string) =>
  (await sql("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema])).length > 0;

after(async () => {
  if (skip) return;
  for (const suffix of ["typo", "empty", "log"]) await sql(`DROP SCHEMA IF EXISTS "${base}_${suffix}" CASCADE`);
});

test("--schema with a typo creates nothing and says no decision log is there", { skip }, async () => {
  const schema = `${base}_typo`;
  const t = io();
  assert.equal(await run(["--postgres", url, "--schema", schema, "--port", "0"], t.io), 1);
  const message = t.err.join("");
  assert.match(message, new RegExp(`no Parapet decision log in PostgreSQL schema "${schema}" \\(there is no such schema\\)`));
  assert.match(message, /Check --schema .* and that the app has started with observe\(\)/);
  assert.equal(t.out.join(""), "", "no login URL for a log that is not there");
  assert.equal(await schemaExists(schema), false, "the dashboard created the schema");
});

test("a schema without Parapet's tables gets none", { skip }, async () => {
  const schema = `${base}_empty`;
  await sql(`CREATE SCHEMA "${schema}"`);
  const t = io();
  assert.equal(await run(["--postgres", url, "--schema", schema, "--port", "0"], t.io), 1);
  assert.match(t.err.join(""), new RegExp(`schema "${schema}" \\(the schema has no parapet_migrations table\\)`));
  assert.deepEqual(await tablesIn(schema), []);
});

test("an existing log is served, read-only", { skip }, async () => {
  const schema = `${base}_log`;
  const writer = postgresLog({ connectionString: url, schema });
  await migrate(writer);
  await writer.close();
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const t = io(stopped);
  const exit = run(["--postgres", url, "--schema", schema, "--port", "0", "--token", "cli-pg-token-0123456789"], t.io);
  for (let i = 0; i < 200 && !t.out.join("").includes("open http"); i++) await new Promise((r) => setTimeout(r, 20));
  const served = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(t.out.join(""))?.[1];
  assert.ok(served, `the login URL is printed: ${t.out.join("")} ${t.err.join("")}`);
  assert.equal((await get(`${served}api/overview`, bearer("cli-pg-token-0123456789"))).status, 200);
  stop();
  assert.equal(await exit, 0);
});
