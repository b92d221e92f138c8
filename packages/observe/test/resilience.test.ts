import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { connect, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import pg from "pg";
import { observe, postgresLog, sqliteLog } from "../src/index.js";
import { manualClock, parapet, recordingLogger, request, tempDir } from "./helpers.js";

const POSTGRES = { host: "127.0.0.1", port: 5432 };
const CONNECTION = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** A TCP relay to the real PostgreSQL that the test can pull the plug on, like a server going away. */
async function relay(): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(POSTGRES.port, POSTGRES.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

test("postgres going away mid-run: later decisions are dropped and counted, nothing crashes or rejects unhandled", {
  timeout: 30_000,
}, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  const schema = `parapet_test_gone_${randomBytes(4).toString("hex")}`;
  const proxy = await relay();
  const clock = manualClock(Date.UTC(2025, 0, 20));
  const logger = recordingLogger();
  const url = new URL(CONNECTION);
  url.host = `127.0.0.1:${proxy.port}`;
  const observed = observe({
    store: postgresLog({ connectionString: url.toString(), schema, maxConnections: 2 }),
    clock,
    logger,
    handleSignals: false,
    queue: { intervalMs: 20 },
  });
  const guard = parapet({ rules: [], observers: [observed.observer], clock });
  try {
    await observed.ready;
    for (let i = 0; i < 100; i++) await guard.protect(request("192.0.2.40", "/before"));
    await observed.flush();
    assert.equal(observed.stats().queue.written, 100);

    await proxy.cut();
    for (let i = 0; i < 100; i++) {
      const decision = await guard.protect(request("192.0.2.40", "/after"));
      assert.equal(decision.conclusion, "ALLOW", "the app keeps deciding while the log is down");
    }
    await observed.flush();
    const stats = observed.stats().queue;
    assert.equal(stats.dropped, 100, "every decision written while the database was gone is counted as dropped");
    assert.equal(stats.pending, 0);
    assert.ok(stats.failedWrites >= 5, "each batch was retried before being dropped");
    observed.tick();
    assert.ok(observed.alerts().some((a) => a.kind === "log_drops" && a.evidence.dropped === 100));
    assert.ok(logger.lines.some((line) => line.startsWith("error decision log: dropped a batch")));
    await observed.close();
    assert.deepEqual(unhandled, []);

    // The rows written before the outage are intact.
    const direct = new pg.Client({ connectionString: CONNECTION });
    await direct.connect();
    try {
      const { rows } = await direct.query(`SELECT COUNT(*)::int AS n FROM ${schema}.parapet_decisions`);
      assert.equal(rows[0].n, 100);
    } finally {
      await direct.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await direct.end();
    }
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await observed.close();
    await proxy.cut().catch(() => {});
  }
});

test("sqlite: a path that cannot be created or written gets a clear error at construction", () => {
  const dir = tempDir();
  try {
    const file = join(dir.path, "not-a-folder");
    writeFileSync(file, "x");
    // A regular file where a folder should be fails even for root (chmod would not stop root).
    assert.throws(
      () => sqliteLog({ path: join(file, "decisions.db") }),
      (error: Error & { code?: string }) =>
        error.code === "PARAPET_E_STORE_FAILED" && /cannot open .*not-a-folder.*writable folder/s.test(error.message),
    );
    // A folder where the database file should be.
    assert.throws(() => sqliteLog({ path: dir.path }), /sqliteLog cannot open .*Point `path` at a writable folder/);
  } finally {
    dir.remove();
  }
});
