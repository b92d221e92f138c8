import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { observe, sqliteLog } from "../src/index.js";
import { createBatchQueue } from "../src/queue.js";
import { parapet, recordingLogger, request, tempDir } from "./helpers.js";

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

test("log worker: a burst faster than the worker is written while it lasts, and what waits stays bounded", {
  timeout: 60_000,
}, async () => {
  const dir = tempDir();
  const capacity = 5_000;
  const batchSize = 500;
  const observed = observe({
    store: sqliteLog({ path: join(dir.path, "burst.db") }),
    logger: recordingLogger(),
    handleSignals: false,
    queue: { capacity, batchSize },
  });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  try {
    await observed.ready;
    // The worker is up once a flush has made the round trip: a burst before that only fills the ring.
    await guard.protect(request("10.1.0.1", "/warm-up"));
    await observed.flush();
    // What may wait: the capture ring and the worker's queue (twice the capacity), plus the batches in flight.
    const bound = 3 * capacity + 8 * batchSize;
    let mostPending = 0;
    let writtenDuringBurst = 0;
    const total = 150_000;
    for (let i = 1; i < total; i++) {
      await guard.protect(request(`10.0.${(i >> 8) & 255}.${i & 255}`, `/p/${i}`));
      // The request thread only yields now and then, as a busy server does.
      if (i % 250 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        const { pending, written } = observed.stats().queue;
        mostPending = Math.max(mostPending, pending);
        writtenDuringBurst = written;
      }
    }
    // Node hands a worker its queued messages before its loop turns again: a worker that ingested in its message
    // handler wrote nothing (and held every message sent) until the burst was over.
    assert.ok(writtenDuringBurst > 0, "nothing was written while the burst lasted");
    assert.ok(mostPending <= bound, `${mostPending} decisions waited at once; the bound is ${bound}`);
    await observed.flush();
    const { accepted, written, dropped, pending } = observed.stats().queue;
    assert.equal(pending, 0);
    assert.equal(written + dropped, total, "every decision is either written or counted as dropped");
    assert.equal(accepted, written);
    const [overview] = await observed.query!.overview({ from: 0, to: Date.now() + 60_000, bucketMinutes: 1440 });
    assert.equal(overview?.total, written);
  } finally {
    await observed.close();
    dir.remove();
  }
});
