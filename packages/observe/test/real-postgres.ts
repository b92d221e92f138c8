/** Real PostgreSQL for the tests (127.0.0.1:5432, db `test`, trust auth), directly or through a relay that can fail. */

import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import { migrate, postgresLog } from "../src/index.js";

const POSTGRES = { host: "127.0.0.1", port: 5432 };
export const CONNECTION = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A TCP relay to the real PostgreSQL that the test can cut (a server going away), freeze (a network that drops
 * every packet without closing anything: a cable pulled, a failover) and restore.
 */
export async function relay(
  options: { up?: boolean } = {},
): Promise<{ port: number; cut(): void; freeze(): void; restore(): void; close(): Promise<void> }> {
  let up = options.up ?? true;
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(POSTGRES.port, POSTGRES.host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on("error", () => {});
      from.on("close", () => {
        sockets.delete(from);
        to.destroy();
      });
      // Frozen, bytes are dropped on the floor, in both directions, and both ends stay open.
      from.on("data", (chunk) => {
        if (!frozen) to.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cut = () => {
    up = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    freeze: () => {
      frozen = true;
    },
    restore: () => {
      up = true;
      frozen = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The connection string through the relay, and a direct client for checking what reached the database. */
export function through(port: number): string {
  const url = new URL(CONNECTION);
  url.host = `127.0.0.1:${port}`;
  return url.toString();
}

export async function countRows(schema: string, table: string, where = "TRUE"): Promise<number> {
  const direct = new pg.Client({ connectionString: CONNECTION });
  await direct.connect();
  try {
    const { rows } = await direct.query(`SELECT COUNT(*)::int AS n FROM ${schema}.${table} WHERE ${where}`);
    return rows[0].n;
  } finally {
    await direct.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const direct = new pg.Client({ connectionString: CONNECTION });
  await direct.connect();
  await direct.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await direct.end();
}

/** A schema whose tables exist but whose migrations are not recorded, and a session holding parapet_decisions locked. */
export async function lockedMigration(schema: string): Promise<{ release(): Promise<void> }> {
  const setup = postgresLog({ connectionString: CONNECTION, schema });
  await migrate(setup);
  await setup.transaction([{ sql: "DELETE FROM parapet_migrations", params: [] }]);
  await setup.close();
  const locker = new pg.Client({ connectionString: CONNECTION });
  await locker.connect();
  await locker.query("BEGIN");
  await locker.query(`LOCK TABLE ${schema}.parapet_decisions IN ACCESS EXCLUSIVE MODE`);
  return {
    release: async () => {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end().catch(() => {});
    },
  };
}
