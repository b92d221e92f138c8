import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CaptureRing } from "../src/capture.js";
import { observe, sqliteLog } from "../src/index.js";
import { workerBackend } from "../src/worker/worker-backend.js";
import { denyAttackPaths, labelBot, parapet, recordingLogger, request, tempDir } from "./helpers.js";

test("log worker: decisions, statuses, bot and attack classes reach the SQLite file written by the worker", async () => {
  const dir = tempDir();
  const observed = observe({ store: sqliteLog({ path: join(dir.path, "log.db") }), logger: recordingLogger(), handleSignals: false });
  const guard = parapet({ rules: [labelBot, denyAttackPaths], observers: [observed.observer] });
  try {
    await observed.ready;
    for (let i = 0; i < 1_200; i++) {
      const decision = await guard.protect(
        request(`10.0.${i >> 8}.${i & 255}`, i % 100 === 0 ? "/attack" : `/p/${i}`, { "x-test-bot": i % 3 === 0 ? "crawler" : "human" }),
      );
      observed.recordStatus(decision, decision.isDenied() ? 403 : 200);
    }
    await observed.flush();
    assert.equal(observed.stats().queue.written, 1_200);
    const page = await observed.query!.decisions({ from: 0, to: Date.now() + 60_000, limit: 5, attackClass: "sqli" });
    assert.equal(page.decisions.length, 5);
    assert.ok(page.decisions.every((d) => d.status === 403 && d.conclusion === "DENY"));
    const [overview] = await observed.query!.overview({ from: 0, to: Date.now() + 60_000, bucketMinutes: 1440 });
    assert.equal(overview?.total, 1_200);
    assert.equal(overview?.bots, 400);
    assert.equal(overview?.attacks, 12);
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("log worker: bad detector options still throw at construction, not in the worker", () => {
  assert.throws(() => observe({ store: false, handleSignals: false, detectors: { spike: { windowMs: -1 } } }), /windowMs/);
  // Without the worker, too: the option error comes through as itself, not as "the log worker cannot start".
  for (const worker of [{ worker: false }, { worker: true }, {}]) {
    assert.throws(
      () =>
        observe({ store: false, handleSignals: false, ...worker, detectors: { scan: { notFoundPerIp: { capacity: -1, leakMs: 1_000 } } } }),
      (error: Error) => /detectors\.scan\.notFoundPerIp\.capacity/.test(error.message) && !/worker/.test(error.message),
      JSON.stringify(worker),
    );
  }
  assert.throws(() => observe({ store: false, handleSignals: false, worker: "yes" as never }), /worker/);
  assert.throws(
    () =>
      observe({
        store: {
          dialect: "sqlite",
          description: "custom",
          transaction: async () => {},
          all: async () => [],
          exec: async () => {},
          close: async () => {},
        },
        handleSignals: false,
        worker: true,
      }),
    /worker: false/,
  );
});

test("log worker: a worker that keeps dying is reported, restarted, and its decisions are counted as dropped; flush never hangs", {
  timeout: 30_000,
}, async () => {
  const logger = recordingLogger();
  // Options the worker cannot build its detectors from make it throw on start-up, every time.
  const backend = workerBackend({
    setup: {
      store: undefined,
      queue: {},
      detectors: { spike: { windowMs: -1 } },
      retention: { decisionDays: 7, rollupDays: 90, intervalMs: 3_600_000 },
    },
    migration: undefined,
    logger,
    report: () => {},
    maxRestarts: 2,
  });
  const ring = new CaptureRing(10);
  const guard = parapet({ rules: [], observers: [{ onDecision: (d, r) => void ring.push(d, r) }] });
  for (let i = 0; i < 10; i++) await guard.protect(request("192.0.2.1"));
  backend.send(ring.drainColumns(), undefined, [], []);
  await backend.flush();
  // Give the restarts time to fail too, then check the accounting.
  for (let i = 0; i < 100 && !logger.lines.some((l) => l.includes("keeps failing")); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(
    logger.lines.some((l) => l.includes("decision log worker crashed")),
    logger.lines.join("\n"),
  );
  assert.ok(
    logger.lines.some((l) => l.includes("keeps failing")),
    "after maxRestarts it gives up loudly",
  );
  backend.send(undefined, undefined, [], []);
  await backend.flush();
  assert.equal(backend.stats().dropped, 10, "every decision handed to a dead worker is counted");
  assert.equal(backend.stats().written, 0);
  await backend.close();
});

test("log worker: a batch size below the default still writes every decision, in batches of that size", { timeout: 20_000 }, async () => {
  const dir = tempDir();
  const observed = observe({
    store: sqliteLog({ path: join(dir.path, "small-batches.db") }),
    logger: recordingLogger(),
    handleSignals: false,
    queue: { batchSize: 7 },
  });
  const guard = parapet({ rules: [labelBot], observers: [observed.observer] });
  try {
    await observed.ready;
    for (let i = 0; i < 50; i++) observed.recordStatus(await guard.protect(request(`10.9.0.${i}`, `/p/${i}`)), 200);
    await observed.flush();
    assert.equal(observed.stats().queue.written, 50);
    assert.equal(observed.stats().queue.dropped, 0);
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("capture: a batch that fills is handed on at once, without the few decisions captured after it", { timeout: 20_000 }, async () => {
  const dir = tempDir();
  const observed = observe({
    store: sqliteLog({ path: join(dir.path, "full-batches.db") }),
    logger: recordingLogger(),
    handleSignals: false,
    // On this thread, so `written` shows what the capture ring handed on (the log worker batches again, by thousands).
    worker: false,
    // No timer pump during the test: only a filled batch (or flush) sends anything.
    queue: { batchSize: 10, intervalMs: 60_000 },
  });
  const guard = parapet({ rules: [labelBot], observers: [observed.observer] });
  try {
    await observed.ready;
    for (let i = 0; i < 25; i++) observed.recordStatus(await guard.protect(request(`10.9.1.${i}`, `/q/${i}`)), 200);
    const deadline = Date.now() + 10_000;
    while (observed.stats().queue.written < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Two full batches went; the five decisions of the third wait to fill it (a message and a transaction for five
    // rows each time a batch fills is what made half the messages under load), and their statuses ride with them.
    assert.equal(observed.stats().queue.written, 20);
    await observed.flush();
    assert.equal(observed.stats().queue.written, 25);
    assert.equal(observed.stats().queue.dropped, 0);
  } finally {
    await observed.close();
    dir.remove();
  }
});
