import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { observe, verifySignature } from "../src/index.js";
import { createBatchQueue } from "../src/queue.js";
import { recordingLogger } from "./helpers.js";

test("alerts: signed webhook, retried after a 503, deduplicated within the cooldown", async () => {
  const secret = "0123456789abcdef0123456789abcdef";
  const received: { body: string; ok: boolean }[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls++;
      if (calls === 1) return res.writeHead(503).end();
      const ok = verifySignature(
        secret,
        body,
        { timestamp: req.headers["x-parapet-timestamp"] as string, signature: req.headers["x-parapet-signature"] as string },
        Math.floor(Date.now() / 1000),
      );
      received.push({ body, ok });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const observed = observe({
    store: false,
    handleSignals: false,
    logger: recordingLogger(),
    alerts: { webhooks: [{ url, secret }], backoffMs: 10 },
  });
  try {
    for (let i = 0; i < 30; i++) {
      observed.observer.onAuthEvent?.({ type: "failure", timestamp: Date.now(), ip: "192.0.2.77", user: `u${i}`, request: {} as never });
    }
    await observed.close();
    // Two findings about this IP (many accounts; many failures), each once: the buckets refire as
    // the attack goes on, and the cooldown suppresses the repeats.
    assert.equal(calls, 3, "one 503 retried, then one delivery per distinct alert");
    assert.equal(received.length, 2);
    assert.ok(
      received.every((r) => r.ok),
      "the signatures verify",
    );
    assert.deepEqual(received.map((r) => JSON.parse(r.body).alert.kind).sort(), ["brute_force", "credential_stuffing"]);
    assert.ok(observed.stats().alerts.suppressed > 0, "repeats were suppressed");
    assert.equal(
      verifySignature(
        secret,
        `${received[0]!.body} `,
        { timestamp: String(Math.floor(Date.now() / 1000)), signature: "sha256=00" },
        Math.floor(Date.now() / 1000),
      ),
      false,
    );
  } finally {
    server.close();
  }
});

test("observe: invalid options fail loudly at construction", () => {
  assert.throws(
    () => observe({ store: false, handleSignals: false, alerts: { webhooks: [{ url: "http://x", secret: "short" }] } }),
    /secret/,
  );
  assert.throws(() => observe({ store: false, handleSignals: false, retention: { decisionDays: 10, rollupDays: 5 } }), /rollupDays/);
  assert.throws(() => observe({ store: false, handleSignals: false, queue: { capacity: 0 } }), /queue.capacity/);
});

test("queue: a full queue drops and counts; a failing sink is retried, then dropped and counted", async () => {
  let fail = true;
  const written: number[] = [];
  const logger = recordingLogger();
  const queue = createBatchQueue<number>({
    capacity: 3,
    batchSize: 2,
    intervalMs: 60_000,
    maxAttempts: 2,
    logger,
    write: async (batch) => {
      if (fail) throw new Error("database down");
      written.push(...batch);
    },
  });
  assert.equal(queue.push(1), true);
  queue.push(2);
  queue.push(3);
  assert.equal(queue.push(4), false, "the fourth entry does not fit");
  await queue.flush();
  assert.equal(queue.stats().dropped, 4, "one refused + the three that kept failing");
  fail = false;
  queue.push(5);
  await queue.close();
  assert.deepEqual(written, [5]);
  assert.equal(queue.push(6), false, "closed queues refuse, and count");
  assert.ok(logger.lines.some((l) => l.includes("dropped a batch")));
});

test("queue: an item weighs its entries: capacity and batches count them, an item is never split, drops count them all", async () => {
  const written: string[][] = [];
  let fail = false;
  const queue = createBatchQueue<{ name: string; rows: number }>({
    capacity: 10,
    batchSize: 4,
    intervalMs: 60_000,
    maxAttempts: 1,
    logger: recordingLogger(),
    weigh: (item) => item.rows,
    write: async (batch) => {
      if (fail) throw new Error("database down");
      written.push(batch.map((item) => item.name));
    },
  });
  assert.equal(queue.push({ name: "a", rows: 3 }), true);
  assert.equal(queue.push({ name: "b", rows: 1 }), true);
  assert.equal(queue.push({ name: "c", rows: 6 }), true, "exactly at capacity");
  assert.equal(queue.push({ name: "d", rows: 1 }), false, "one entry more does not fit");
  assert.deepEqual(queue.stats(), { accepted: 10, written: 0, dropped: 1, failedWrites: 0, pending: 10 });
  await queue.flush();
  assert.deepEqual(written, [["a", "b"], ["c"]], "batches of up to 4 entries; a bigger item goes alone, whole");
  assert.deepEqual(queue.stats(), { accepted: 10, written: 10, dropped: 1, failedWrites: 0, pending: 0 });
  fail = true;
  queue.push({ name: "e", rows: 5 });
  await queue.flush();
  assert.equal(queue.stats().dropped, 6, "a batch that keeps failing is dropped with all its entries");
  await queue.close();
});
