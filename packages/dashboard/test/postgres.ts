import pg from "pg";

/** The loopback PostgreSQL the dashboard's PostgreSQL tests use (CI runs it); override with PARAPET_TEST_POSTGRES. */
export const TEST_POSTGRES_URL = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why the PostgreSQL tests must skip (nothing answers at TEST_POSTGRES_URL), or false when they can run. */
export async function postgresSkipReason(): Promise<string | false> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return false;
  } catch {
    return `no PostgreSQL at ${TEST_POSTGRES_URL}; start it or set PARAPET_TEST_POSTGRES`;
  } finally {
    await client.end().catch(() => {});
  }
}
