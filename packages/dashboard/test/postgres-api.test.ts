import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { postgresLog } from "@parapet/observe";
import pg from "pg";
import { apiSuite } from "./api-suite.js";
import { postgresSkipReason, TEST_POSTGRES_URL } from "./postgres.js";

const url = TEST_POSTGRES_URL;
const schema = `dashboard_test_${randomBytes(4).toString("hex")}`;

async function dropSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

const skip = await postgresSkipReason();
if (!skip) apiSuite("postgres", async () => postgresLog({ connectionString: url, schema }), dropSchema);
else test("postgres: the dashboard API against PostgreSQL", { skip }, () => {});
