import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { observe, postgresLog, sqliteLog } from "../src/index.js";
import { createBatchQueue } from "../src/queue.js";
import type { SqlDriver } from "../src/sql/driver.js";
import { parapet, recordingLogger, request, tempDir } from "./helpers.js";

// Real PostgreSQL on loopback (CI starts it), as in postgres-log.test.ts.
const POSTGRES = process.env.PARAPET_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** Yields until the garbage collector has run finalizers and cleared weak references. */
async function collectGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("queue: an item is released once it is written, not kept until thousands more have been", async () => {
  const queue = createBatchQueue<{ rows: string[] }>({ logger: recordingLogger(), write: async () => {}, weigh: () => 500 });
  // Made in a function of its own, so no variable of the test's keeps the last item alive.
  const pushItem = (label: string): WeakRef<object> => {
    const item = { rows: Array.from({ length: 500 }, (_, row) => `decision ${label}-${row}`) };
    queue.push(item);
    return new WeakRef(item);
  };
  const written: WeakRef<object>[] = [];
  // Items pushed and written a few at a time, as the decision log does (each item a batch of 500 decisions).
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 3; i++) written.push(pushItem(`${round}-${i}`));
    await queue.flush();
  }
  await collectGarbage();
  const alive = written.filter((ref) => ref.deref() !== undefined).length;
  assert.equal(queue.stats().written, 60 * 500);
  assert.equal(alive, 0, `${alive} of ${written.length} written items are still held by the queue`);
  await queue.close();
});

/** What a burst left: the most decisions waiting at once, and how many were written while it lasted. */
interface BurstOutcome {
  readonly mostPending: number;
  readonly writtenDuringBurst: number;
}

/**
 * Sends `total` decisions as fast as protect() makes them, yielding every 250 as a busy server does, then flushes
 * and checks that each was written or counted as dropped.
 */
async function burst(store: SqlDriver, capacity: number | undefined, total: number): Promise<BurstOutcome> {
  const observed = observe({
    store,
    logger: recordingLogger(),
    handleSignals: false,
    ...(capacity === undefined ? {} : { queue: { capacity } }),
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  try {
    await observed.ready;
    // The worker is up once a flush has made the round trip: a burst before that only fills the ring.
    await guard.protect(request("10.1.0.1", "/warm-up"));
    await observed.flush();
    let mostPending = 0;
    let writtenDuringBurst = 0;
    for (let i = 1; i < total; i++) {
      await guard.protect(request(`10.0.${(i >> 8) & 255}.${i & 255}`, `/p/${i}`));
      if (i % 250 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        const { pending, written } = observed.stats().queue;
        mostPending = Math.max(mostPending, pending);
        writtenDuringBurst = written;
      }
    }
    await observed.flush();
    const { accepted, written, dropped, pending } = observed.stats().queue;
    assert.equal(pending, 0);
    assert.equal(written + dropped, total, "every decision is either written or counted as dropped");
    assert.equal(accepted, written);
    const [overview] = await observed.query!.overview({ from: 0, to: Date.now() + 60_000, bucketMinutes: 1440 });
    assert.equal(overview?.total, written);
    return { mostPending, writtenDuringBurst };
  } finally {
    await observed.close();
  }
}

/** Batches in flight to the worker (worker-backend.ts) and rows per transaction there (log-worker.ts), of 500-decision batches. */
const IN_FLIGHT = 8 * 500;
const WORKER_BATCH = 2_000;

test("log worker: a burst faster than the worker is written while it lasts, and what waits stays bounded", {
  timeout: 60_000,
}, async () => {
  const dir = tempDir();
  const capacity = 5_000;
  try {
    const { mostPending, writtenDuringBurst } = await burst(sqliteLog({ path: join(dir.path, "burst.db") }), capacity, 150_000);
    // Node hands a worker its queued messages before its loop turns again: a worker that ingested in its message
    // handler wrote nothing (and held every message sent) until the burst was over.
    assert.ok(writtenDuringBurst > 0, "nothing was written while the burst lasted");
    // What may wait: the capture ring and the worker's queue (twice the capacity), plus the batches in flight.
    const bound = 3 * capacity + IN_FLIGHT;
    assert.ok(mostPending <= bound, `${mostPending} decisions waited at once; the bound is ${bound}`);
  } finally {
    dir.remove();
  }
});

test("log worker: during a burst to PostgreSQL the worker writes instead of taking batches it cannot write yet", {
  timeout: 120_000,
}, async () => {
  const schema = `parapet_burst_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect().catch((error: Error) => {
    assert.fail(`PostgreSQL must be running at ${POSTGRES} (set PARAPET_TEST_POSTGRES): ${error.message}`);
  });
  try {
    const { mostPending, writtenDuringBurst } = await burst(postgresLog({ connectionString: POSTGRES, schema }), undefined, 150_000);
    assert.ok(writtenDuringBurst > 0, "nothing was written while the burst lasted");
    // The ring (50,000 by default) plus what is in flight and what the worker took while a write was under way.
    // Acknowledged at once, the worker kept taking batches between the round trips of its writes, and its queue
    // filled towards its own bound (twice the capacity) while a few thousand rows a second went in.
    const bound = 50_000 + 3 * IN_FLIGHT + 2 * WORKER_BATCH;
    assert.ok(mostPending <= bound, `${mostPending} decisions waited at once; the bound is ${bound}`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
