import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { observe, postgresLog, type SqlDriver, sqliteLog } from "../src/index.js";
import { parapet, recordingLogger, request, tempDir, waitFor } from "./helpers.js";
import { CONNECTION, countRows, dropSchema, lockedMigration, relay, through } from "./real-postgres.js";

function linesLike(logger: { lines: string[] }, pattern: RegExp): string[] {
  return logger.lines.filter((line) => pattern.test(line));
}

test("postgres down while the app starts: the migration is retried, and every decision is written once it is back", {
  timeout: 30_000,
}, async () => {
  const schema = `parapet_test_late_${randomBytes(4).toString("hex")}`;
  const proxy = await relay({ up: false });
  const logger = recordingLogger();
  // The default: the log worker writes, the main thread migrates and tells it how that went.
  const observed = observe({
    store: postgresLog({ connectionString: through(proxy.port), schema, maxConnections: 2 }),
    logger,
    handleSignals: false,
    detectors: { scan: false },
    queue: { intervalMs: 20 },
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  let migrated = false;
  void observed.ready.then(() => {
    migrated = true;
  });
  try {
    for (let i = 0; i < 50; i++) await guard.protect(request("192.0.2.41", `/early/${i}`));
    await observed.flush();
    await waitFor(() => linesLike(logger, /cannot create its tables/).length > 0, 5_000, "the migration failure to be logged");
    assert.equal(migrated, false);
    assert.equal(observed.stats().queue.pending, 50, "the decisions wait");

    proxy.restore();
    await observed.ready;
    for (let i = 0; i < 50; i++) await guard.protect(request("192.0.2.41", `/later/${i}`));
    await waitFor(() => observed.stats().queue.written === 100, 10_000, "every decision to be written");
    assert.equal(observed.stats().queue.dropped, 0);
    assert.equal(linesLike(logger, /cannot create its tables/).length, 1, "the failure is logged once, not per retry");
    assert.equal(linesLike(logger, /tables created after the database came back/).length, 1);
    await observed.close();
    assert.equal(await countRows(schema, "parapet_decisions"), 100);
  } finally {
    await observed.close();
    await proxy.close();
    await dropSchema(schema);
  }
});

test("postgres never reachable: close() ends promptly, ready rejects, and the loss is counted with the current error", {
  timeout: 30_000,
}, async () => {
  const proxy = await relay({ up: false });
  const logger = recordingLogger();
  const observed = observe({
    store: postgresLog({ connectionString: through(proxy.port), schema: "parapet_test_never", maxConnections: 2 }),
    logger,
    handleSignals: false,
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  const readiness = observed.ready.then(
    () => "resolved",
    (error: Error) => error.message,
  );
  try {
    for (let i = 0; i < 20; i++) await guard.protect(request("192.0.2.42", `/never/${i}`));
    const started = Date.now();
    await observed.close();
    assert.ok(Date.now() - started < 5_000, `close took ${Date.now() - started} ms`);
    assert.match(await readiness, /closed before its tables could be created/);
    assert.equal(observed.stats().queue.dropped, 20);
    const lost = logger.lines.findIndex((line) => line.includes("entries lost at close"));
    assert.ok(lost >= 0, logger.lines.join("\n"));
    assert.match(String(logger.fields[lost]?.error), /tables are not created yet: .*(terminated|ECONNRESET|closed)/i);
  } finally {
    await observed.close();
    await proxy.close();
  }
});

test("an error quoted on a later loss is the current one, not the one from start-up", { timeout: 10_000 }, async () => {
  const dir = tempDir();
  const inner = sqliteLog({ path: join(dir.path, "flaky.db") });
  let attempt = 0;
  const logger = recordingLogger();
  // The migration's first statement fails, with a new message each time.
  const flaky: SqlDriver = {
    dialect: inner.dialect,
    description: "flaky test log",
    transaction: (statements) => inner.transaction(statements),
    all: (sql, params) => inner.all(sql, params),
    exec: () => Promise.reject(new Error(`disk I/O error #${++attempt}`)),
    close: () => inner.close(),
  };
  const observed = observe({
    store: flaky,
    logger,
    handleSignals: false,
    worker: false,
  });
  try {
    await waitFor(() => attempt >= 2, 5_000, "a retried migration");
    const guard = parapet({ rules: [], observers: [observed.observer] });
    await guard.protect(request("192.0.2.43"));
    await observed.close();
    const lost = logger.lines.findIndex((line) => line.includes("entries lost at close"));
    assert.match(String(logger.fields[lost]?.error), new RegExp(`disk I/O error #${attempt}\\b`));
    assert.ok(attempt >= 3, "close made one last attempt");
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("postgres going away mid-run: the decisions made meanwhile wait and are written when it is back, with the drop alert", {
  timeout: 30_000,
}, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  const schema = `parapet_test_gone_${randomBytes(4).toString("hex")}`;
  const proxy = await relay();
  const logger = recordingLogger();
  // A queue of 100 (200 in the worker): the outage overflows it, so some decisions are dropped and an alert says so.
  const observed = observe({
    store: postgresLog({ connectionString: through(proxy.port), schema, maxConnections: 2 }),
    logger,
    handleSignals: false,
    detectors: { scan: false, spike: false },
    queue: { intervalMs: 20, capacity: 100, batchSize: 50 },
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  try {
    await observed.ready;
    for (let i = 0; i < 100; i++) await guard.protect(request("192.0.2.40", "/before"));
    await observed.flush();
    assert.equal(observed.stats().queue.written, 100);

    proxy.cut();
    const outage = Date.now();
    for (let i = 0; i < 300; i++) {
      const decision = await guard.protect(request("192.0.2.40", "/during"));
      assert.equal(decision.conclusion, "ALLOW", "the app keeps deciding while the log is down");
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await observed.flush();
    await waitFor(() => observed.stats().queue.dropped > 0, 5_000, "the overflow to be counted");
    observed.tick();
    const dropped = observed.stats().queue.dropped;
    assert.ok(dropped >= 50 && dropped <= 150, `only what did not fit is dropped: ${dropped}`);
    assert.ok(observed.alerts().some((a) => a.kind === "log_drops"));
    // Longer than the five attempts 250 ms apart after which batches used to be dropped.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2_500 - (Date.now() - outage))));

    proxy.restore();
    await waitFor(() => observed.stats().queue.pending === 0, 15_000, "the backlog to be written");
    await observed.close();
    assert.deepEqual(unhandled, []);
    assert.equal(await countRows(schema, "parapet_decisions"), 400 - dropped, "every decision that fitted is in the log");
    assert.equal(await countRows(schema, "parapet_alerts", "kind = 'log_drops'"), 1, "the drop alert survived the outage");
    assert.equal(linesLike(logger, /write failed; retrying/).length, 1, "the outage is logged once");
    assert.equal(linesLike(logger, /writes resumed/).length, 1);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await observed.close();
    await proxy.close();
    await dropSchema(schema);
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

test("postgres that stops answering without closing: a statement times out instead of hanging, and a new connection works once it answers", {
  timeout: 30_000,
}, async () => {
  const link = await relay();
  const schema = `parapet_freeze_${randomBytes(4).toString("hex")}`;
  const driver = postgresLog({ connectionString: through(link.port), schema, queryTimeoutMs: 400, connectTimeoutMs: 400 });
  try {
    assert.deepEqual(await driver.all<{ one: number }>("SELECT 1 AS one"), [{ one: 1 }]);
    link.freeze();
    let started = Date.now();
    await assert.rejects(driver.all("SELECT 1 AS one"), /timeout/i, "a pooled connection whose server went silent");
    assert.ok(Date.now() - started < 5_000, `the statement gave up after ${Date.now() - started} ms`);
    started = Date.now();
    await assert.rejects(
      driver.transaction([{ sql: "SELECT 1", params: [] }]),
      /timeout/i,
      "a new connection through the silent network cannot even log in",
    );
    assert.ok(Date.now() - started < 5_000, `the connection attempt gave up after ${Date.now() - started} ms`);
    link.restore();
    assert.deepEqual(await driver.all<{ one: number }>("SELECT 1 AS one"), [{ one: 1 }], "the silent connections were discarded");
  } finally {
    await driver.close();
    await link.close();
    await dropSchema(schema);
  }
});

test("postgresLog refuses timeouts that would mean waiting forever", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, 3_600_001]) {
    assert.throws(() => postgresLog({ connectionString: CONNECTION, queryTimeoutMs: bad }), /queryTimeoutMs/);
    assert.throws(() => postgresLog({ connectionString: CONNECTION, connectTimeoutMs: bad }), /connectTimeoutMs/);
  }
});

for (const worker of [false, true]) {
  // With the worker, 10,000 decisions: more than it takes in flight, so some wait in the capture ring at close.
  const decisions = worker ? 10_000 : 30;
  test(`postgres that stops answering mid-write: close() ends long before the query timeout and counts the loss (worker: ${worker})`, {
    timeout: 55_000,
  }, async () => {
    // close() used to wait for the write in flight (up to queryTimeoutMs), its rollback (as long again), then retries,
    // retention and the pool: 80 s with the defaults, past a 30 s SIGTERM grace, so the process was killed before it
    // said what was lost. With the worker, flush rounds that moved nothing were repeated: 87 s for 20,000 decisions.
    const link = await relay();
    const schema = `parapet_stall_${randomBytes(4).toString("hex")}`;
    const logger = recordingLogger();
    const queryTimeoutMs = 60_000;
    const observed = observe({
      store: postgresLog({ connectionString: through(link.port), schema, queryTimeoutMs, connectTimeoutMs: queryTimeoutMs }),
      logger,
      handleSignals: false,
      worker,
      detectors: { scan: false, spike: false },
    });
    const guard = parapet({ rules: [], observers: [observed.observer] });
    try {
      await observed.ready;
      for (let i = 0; i < 20; i++) await guard.protect(request("192.0.2.44", "/before"));
      await observed.flush();
      assert.equal(observed.stats().queue.written, 20);
      link.freeze();
      for (let i = 0; i < decisions; i++) await guard.protect(request("192.0.2.44", "/during"));
      await waitFor(() => observed.stats().queue.pending === decisions, 5_000, "the rows to be queued");
      const started = Date.now();
      await observed.close();
      const took = Date.now() - started;
      assert.ok(took < queryTimeoutMs / 2, `close() waited ${took} ms for a database that does not answer`);
      assert.equal(observed.stats().queue.dropped, decisions, "the unwritten rows are counted");
      assert.equal(observed.stats().queue.pending, 0);
      const lost = logger.lines.flatMap((line, i) => (line.includes("lost at close") ? [Number(logger.fields[i]?.entries)] : []));
      assert.equal(
        lost.reduce((sum, n) => sum + n, 0),
        decisions,
        `every lost decision is in a log line: ${logger.lines.join("\n")}`,
      );
      assert.ok(
        logger.lines.some(
          (line, i) => line.includes("lost at close") && /gave a write no answer|timeout/.test(String(logger.fields[i]?.error)),
        ),
      );
    } finally {
      await observed.close();
      await link.close();
      await dropSchema(schema);
    }
  });
}

test("a migration waiting on another session's lock is logged and retried, and the log starts once the lock goes", {
  timeout: 30_000,
}, async () => {
  // The migration's DDL had no bound: it queued behind the lock for as long as it was held, with nothing logged.
  const schema = `parapet_locked_${randomBytes(4).toString("hex")}`;
  const lock = await lockedMigration(schema);
  const logger = recordingLogger();
  const observed = observe({
    store: postgresLog({ connectionString: CONNECTION, schema, queryTimeoutMs: 500 }),
    logger,
    handleSignals: false,
    worker: false,
  });
  try {
    await waitFor(() => linesLike(logger, /cannot create its tables/).length > 0, 10_000, "the lock wait to be reported");
    const failed = logger.lines.findIndex((line) => /cannot create its tables/.test(line));
    assert.match(String(logger.fields[failed]?.error), /lock timeout/);
    let ready = false;
    void observed.ready.then(() => {
      ready = true;
    });
    await lock.release();
    // Polled: the migration's retry timer does not hold the process, and here nothing else would.
    await waitFor(() => ready, 10_000, "the migration to succeed once the lock is gone");
  } finally {
    await lock.release();
    await observed.close();
    await dropSchema(schema);
  }
});

test("close() does not wait out a migration stuck behind another session's lock", { timeout: 50_000 }, async () => {
  const schema = `parapet_locked_${randomBytes(4).toString("hex")}`;
  const lock = await lockedMigration(schema);
  const queryTimeoutMs = 40_000;
  const observed = observe({
    store: postgresLog({ connectionString: CONNECTION, schema, queryTimeoutMs }),
    logger: recordingLogger(),
    handleSignals: false,
    worker: false,
  });
  const readiness = observed.ready.then(
    () => "resolved",
    (error: Error) => error.message,
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    await observed.close();
    const took = Date.now() - started;
    assert.ok(took < queryTimeoutMs / 2, `close() waited ${took} ms behind the lock`);
    assert.match(await readiness, /closed before its tables could be created \(no answer within/);
  } finally {
    await lock.release();
    await observed.close();
    await dropSchema(schema);
  }
});
