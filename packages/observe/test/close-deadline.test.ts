import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { type AlertOptions, migrate, type Observed, observe, postgresLog, sqliteLog } from "../src/index.js";
import { parapet, recordingLogger, request, tempDir, waitFor } from "./helpers.js";
import { CONNECTION, countRows, dropSchema, lockedMigration, relay, through } from "./real-postgres.js";

/**
 * observe's `closeTimeoutMs` is one deadline for the whole close: before it, each step of close() waited up to a bound
 * of its own (the stuck write, retention, the pool, the webhooks: about 5 s each), one after another, and close() took
 * 19 s against a PostgreSQL that stopped answering, 24 s with a hanging webhook receiver too.
 */
const DEADLINE_MS = 2_000;
/** Timers, the last log lines, a thread's answer: what close() may take beyond its deadline. */
const MARGIN_MS = 500;

/** Every decision a close said it lost, added up from its log lines. */
function lostInLog(logger: ReturnType<typeof recordingLogger>): number {
  return logger.lines.reduce((sum, line, i) => sum + (line.includes("lost at close") ? Number(logger.fields[i]?.entries) : 0), 0);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
}

/** A log on PostgreSQL through a relay, migrated, with 20 decisions written; then the relay freezes (a network drop). */
async function stalledLog(options: { worker: boolean; alerts?: AlertOptions }) {
  const link = await relay();
  const schema = `parapet_deadline_${randomBytes(4).toString("hex")}`;
  const logger = recordingLogger();
  // A query timeout far beyond the deadline: only the deadline can end close() in time.
  const observed = observe({
    store: postgresLog({ connectionString: through(link.port), schema, queryTimeoutMs: 60_000, connectTimeoutMs: 60_000 }),
    logger,
    handleSignals: false,
    worker: options.worker,
    detectors: { scan: false, spike: false },
    closeTimeoutMs: DEADLINE_MS,
    ...(options.alerts ? { alerts: options.alerts } : {}),
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  await observed.ready;
  for (let i = 0; i < 20; i++) await guard.protect(request("192.0.2.50", "/before"));
  await observed.flush();
  assert.equal(observed.stats().queue.written, 20);
  return {
    observed,
    logger,
    guard,
    link,
    freeze: () => link.freeze(),
    async cleanUp() {
      await observed.close();
      await link.close();
      await dropSchema(schema);
    },
  };
}

/** What a close that ran out of time must leave behind: nothing pending, every unwritten decision counted and logged. */
function assertCounted(observed: Observed, logger: ReturnType<typeof recordingLogger>, unwritten: number): void {
  const { queue } = observed.stats();
  assert.equal(queue.pending, 0, "nothing is left pending");
  assert.equal(queue.written + queue.dropped, queue.accepted, `every decision is written or counted as dropped: ${JSON.stringify(queue)}`);
  assert.equal(queue.dropped, unwritten, "the unwritten decisions are counted");
  assert.equal(lostInLog(logger), unwritten, `every lost decision is in a log line:\n${logger.lines.join("\n")}`);
}

for (const worker of [false, true]) {
  test(`postgres that stops answering: close() ends by closeTimeoutMs, with every unwritten decision counted and logged (worker: ${worker})`, {
    timeout: 40_000,
  }, async () => {
    const log = await stalledLog({ worker });
    try {
      log.freeze();
      for (let i = 0; i < 1_000; i++) await log.guard.protect(request("192.0.2.50", "/during"));
      await waitFor(() => log.observed.stats().queue.pending === 1_000, 5_000, "the decisions to be queued");
      const took = await timed(() => log.observed.close());
      assert.ok(took < DEADLINE_MS + MARGIN_MS, `close() took ${took} ms with closeTimeoutMs ${DEADLINE_MS}`);
      assertCounted(log.observed, log.logger, 1_000);
    } finally {
      await log.cleanUp();
    }
  });
}

test("close() called twice (and through the observer) during a stall: one close, within the deadline, counted once", {
  timeout: 40_000,
}, async () => {
  const log = await stalledLog({ worker: true });
  try {
    log.freeze();
    for (let i = 0; i < 500; i++) await log.guard.protect(request("192.0.2.51", "/during"));
    await waitFor(() => log.observed.stats().queue.pending === 500, 5_000, "the decisions to be queued");
    const started = performance.now();
    const first = log.observed.close();
    await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS / 2));
    const second = log.observed.close();
    const third = log.observed.observer.close?.();
    await Promise.all([first, second, third]);
    const took = Math.round(performance.now() - started);
    assert.ok(took < DEADLINE_MS + MARGIN_MS, `the closes ended ${took} ms after the first began`);
    assert.ok((await timed(() => log.observed.close())) < 50, "a close after the close returns at once");
    assertCounted(log.observed, log.logger, 500);
  } finally {
    await log.cleanUp();
  }
});

test("close() while a webhook receiver hangs and postgres stopped answering: both bounded by the one deadline", {
  timeout: 40_000,
}, async () => {
  let requests = 0;
  const receiver = createServer((req) => {
    requests++;
    req.resume();
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // The webhooks' own wait (default 5 s) is longer than the whole deadline: the deadline wins.
  const log = await stalledLog({ worker: true, alerts: { webhooks: [{ url, secret: "0123456789abcdef0123" }] } });
  try {
    for (let i = 0; i < 30; i++) {
      log.observed.observer.onAuthEvent?.({
        type: "failure",
        timestamp: Date.now(),
        ip: "192.0.2.52",
        user: `u${i}`,
        request: {} as never,
      });
    }
    await log.observed.flush();
    await waitFor(() => requests > 0, 5_000, "a delivery to start");
    log.freeze();
    for (let i = 0; i < 200; i++) await log.guard.protect(request("192.0.2.53", "/during"));
    await waitFor(() => log.observed.stats().queue.pending === 200, 5_000, "the decisions to be queued");
    const took = await timed(() => log.observed.close());
    assert.ok(took < DEADLINE_MS + MARGIN_MS, `close() took ${took} ms`);
    assertCounted(log.observed, log.logger, 200);
    assert.equal(log.observed.stats().alerts.delivered, 0);
    assert.ok(log.observed.stats().alerts.droppedDeliveries >= 1, "the abandoned delivery is counted");
    assert.ok(log.logger.lines.some((line) => line.includes("were abandoned")));
  } finally {
    receiver.closeAllConnections();
    receiver.close();
    await log.cleanUp();
  }
});

test("close() during a migration stuck behind another session's lock: ends by the deadline, the waiting decisions counted", {
  timeout: 40_000,
}, async () => {
  const schema = `parapet_deadline_lock_${randomBytes(4).toString("hex")}`;
  const lock = await lockedMigration(schema);
  const logger = recordingLogger();
  const observed = observe({
    store: postgresLog({ connectionString: CONNECTION, schema, queryTimeoutMs: 60_000 }),
    logger,
    handleSignals: false,
    closeTimeoutMs: DEADLINE_MS,
  });
  const readiness = observed.ready.then(
    () => "resolved",
    (error: Error) => error.message,
  );
  try {
    const guard = parapet({ rules: [], observers: [observed.observer] });
    for (let i = 0; i < 50; i++) await guard.protect(request("192.0.2.54", "/waiting"));
    const took = await timed(() => observed.close());
    assert.ok(took < DEADLINE_MS + MARGIN_MS, `close() took ${took} ms behind the lock`);
    assert.match(await readiness, /closed before its tables could be created/);
    assertCounted(observed, logger, 50);
  } finally {
    await lock.release();
    await observed.close();
    await dropSchema(schema);
  }
});

test("close() during a healthy migration of a new schema: the migration finishes and every decision is written", {
  timeout: 40_000,
}, async () => {
  const schema = `parapet_deadline_new_${randomBytes(4).toString("hex")}`;
  const logger = recordingLogger();
  const observed = observe({ store: postgresLog({ connectionString: CONNECTION, schema }), logger, handleSignals: false });
  try {
    const guard = parapet({ rules: [], observers: [observed.observer] });
    for (let i = 0; i < 50; i++) await guard.protect(request("192.0.2.55", "/early"));
    await observed.close();
    assert.equal(observed.stats().queue.written, 50, logger.lines.join("\n"));
    assert.equal(await countRows(schema, "parapet_decisions"), 50);
  } finally {
    await observed.close();
    await dropSchema(schema);
  }
});

test("a healthy postgres gets a 10k backlog written in full within the default deadline", { timeout: 40_000 }, async () => {
  const schema = `parapet_deadline_big_${randomBytes(4).toString("hex")}`;
  const observed = observe({
    store: postgresLog({ connectionString: CONNECTION, schema }),
    logger: recordingLogger(),
    handleSignals: false,
    // Nothing written before close: the whole backlog is close()'s to write.
    queue: { intervalMs: 600_000 },
  });
  try {
    await observed.ready;
    const guard = parapet({ rules: [], observers: [observed.observer] });
    for (let i = 0; i < 10_000; i++) await guard.protect(request(`10.1.${(i >> 8) & 255}.${i & 255}`, `/item/${i}`));
    const took = await timed(() => observed.close());
    assert.equal(observed.stats().queue.written, 10_000, `written in ${took} ms`);
    assert.equal(observed.stats().queue.dropped, 0);
    assert.equal(await countRows(schema, "parapet_decisions"), 10_000);
  } finally {
    await observed.close();
    await dropSchema(schema);
  }
});

test("observe refuses a closeTimeoutMs that would leave close() unbounded or cut it to nothing", () => {
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "10s"]) {
    assert.throws(
      () => observe({ store: false, handleSignals: false, closeTimeoutMs: bad as number }),
      /closeTimeoutMs must be a positive number/,
    );
  }
});

test("SIGTERM while another process holds the SQLite file locked: the process ends by the deadline and says what it lost", {
  timeout: 60_000,
}, async () => {
  const dir = tempDir();
  const path = join(dir.path, "locked.db");
  // The tables exist; then this process takes the write lock and keeps it: every write of the child waits on it.
  const holder = sqliteLog({ path });
  await migrate(holder);
  await holder.exec("BEGIN IMMEDIATE");
  const count = 5_000;
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, "fixtures", "locked-sigterm-child.js"), path, String(count), String(DEADLINE_MS)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await waitFor(() => /ready \d+/.test(output) || child.exitCode !== null, 30_000, "the child to be ready");
    assert.match(output, new RegExp(`ready ${count}\\b`));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const started = performance.now();
    child.kill("SIGTERM");
    const signal = await exited;
    const took = Math.round(performance.now() - started);
    assert.equal(signal, "SIGTERM", "the process still ends by the signal");
    assert.ok(took < DEADLINE_MS + MARGIN_MS, `the process took ${took} ms to end after SIGTERM`);
    const lost = output
      .split("\n")
      .filter((line) => line.startsWith("log ") && line.includes("lost at close"))
      .reduce((sum, line) => sum + Number(JSON.parse(line.slice(4)).fields.entries), 0);
    await holder.exec("ROLLBACK");
    const [row] = await holder.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_decisions");
    assert.equal(lost + Number(row?.n), count, `every decision is written or said lost:\n${output}`);
    assert.ok(lost > 0, "the lock kept decisions out, and the log says so");
  } finally {
    child.kill("SIGKILL");
    await holder.close();
    dir.remove();
  }
});
