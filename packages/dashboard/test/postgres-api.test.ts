import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { postgresLog } from "@parapet/observe";
import pg from "pg";
import { apiSuite } from "./api-suite.js";

// PostgreSQL on 127.0.0.1:5432 (CI runs it); override with PARAPET_TEST_POSTGRES_URL.
const url = process.env.PARAPET_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `dashboard_test_${randomBytes(4).toString("hex")}`;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

if (await reachable()) {
  apiSuite("postgres", async () => postgresLog({ connectionString: url, schema }), dropSchema);
} else {
  test("postgres: the dashboard API against PostgreSQL", {
    skip: `no PostgreSQL at ${url}; start it or set PARAPET_TEST_POSTGRES_URL`,
  }, () => {});
}
