import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { deliver } from "../src/alerts/webhook.js";
import { type Alert, type AlertOptions, observe, verifySignature } from "../src/index.js";
import { createBatchQueue } from "../src/queue.js";
import { recordingLogger, waitFor } from "./helpers.js";

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

test("alerts: a receiver's Retry-After is waited for; one over a minute is not retried", async () => {
  const alert: Alert = { id: "a1", ts: 0, kind: "scan", severity: "warning", subject: "ip:192.0.2.1", summary: "scan", evidence: {} };
  const attempt = async (retryAfter: string) => {
    let calls = 0;
    const waits: number[] = [];
    const outcome = await deliver({ url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef0123" }, alert, {
      fetch: async () => {
        calls++;
        return new Response("slow down", { status: 429, headers: { "retry-after": retryAfter } });
      },
      attempts: 4,
      backoffMs: 1_000,
      timeoutMs: 5_000,
      nowSeconds: () => 1_700_000_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    return { outcome, calls, waits };
  };
  // The backoff alone asked again after 1, 2 and 4 s: three more requests within 7 s of "come back in 10".
  const seconds = await attempt("10");
  assert.deepEqual(seconds.waits, [10_000, 10_000, 10_000]);
  assert.equal(seconds.calls, 4);
  const date = await attempt(new Date((1_700_000_000 + 20) * 1000).toUTCString());
  assert.deepEqual(date.waits, [20_000, 20_000, 20_000], "an HTTP date counts from now");
  const later = await attempt("3600");
  assert.equal(later.calls, 1, "an hour is not waited for (the alert is in the log)");
  assert.deepEqual(later.waits, []);
  assert.match(later.outcome.error ?? "", /HTTP 429, retry after 3600 s: not retried/);
  const unreadable = await attempt("soon");
  assert.deepEqual(unreadable.waits, [1_000, 2_000, 4_000], "an unreadable header leaves the backoff as it was");
});

test("observe: invalid options fail loudly at construction", () => {
  assert.throws(
    () => observe({ store: false, handleSignals: false, alerts: { webhooks: [{ url: "http://x", secret: "short" }] } }),
    /secret/,
  );
  assert.throws(() => observe({ store: false, handleSignals: false, retention: { decisionDays: 10, rollupDays: 5 } }), /rollupDays/);
  assert.throws(() => observe({ store: false, handleSignals: false, queue: { capacity: 0 } }), /queue.capacity/);
});

test("observe: a retention interval that is never due (NaN, a string, 0) is refused instead of disabling retention", async () => {
  // Compared with >= on every tick, NaN and "1h" were never due: retention silently never ran.
  for (const intervalMs of [Number.NaN, "1h", 0, -5, Number.POSITIVE_INFINITY]) {
    let accepted: ReturnType<typeof observe> | undefined;
    try {
      assert.throws(
        () => {
          accepted = observe({ store: false, handleSignals: false, retention: { intervalMs: intervalMs as number } });
        },
        (error: Error & { code?: string }) =>
          error.code === "PARAPET_E_INVALID_OPTION" &&
          /retention\.intervalMs must be a positive number of milliseconds/.test(error.message),
        String(intervalMs),
      );
    } finally {
      await accepted?.close();
    }
  }
});

test("observe: alert and block options are checked, and the error says what to write", () => {
  const webhooks = [{ url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef0123" }];
  const rejects = (alerts: Record<string, unknown>, pattern: RegExp, extra: Record<string, unknown> = {}) =>
    assert.throws(
      () => observe({ store: false, handleSignals: false, alerts: { webhooks, ...alerts } as AlertOptions, ...extra }),
      (error: Error & { code?: string }) => error.code === "PARAPET_E_INVALID_OPTION" && pattern.test(error.message),
      JSON.stringify(alerts),
    );
  // A typo here used to rank below every severity: no webhook ever fired, and nothing said why.
  rejects({ minSeverity: "high" }, /alerts\.minSeverity must be "info", "warning" or "critical" \(default "warning"\), not "high"/);
  rejects({ attempts: 0 }, /alerts\.attempts must be a positive integer/);
  rejects({ attempts: 1.5 }, /alerts\.attempts/);
  rejects({ timeoutMs: "5s" }, /alerts\.timeoutMs is a number of milliseconds: write 5000 instead of "5s"/);
  rejects({ timeoutMs: 0 }, /alerts\.timeoutMs must be a positive number of milliseconds/);
  rejects({ backoffMs: -1 }, /alerts\.backoffMs must be a non-negative number/);
  rejects({ cooldownMs: Number.NaN }, /alerts\.cooldownMs/);
  rejects({ cooldownMs: "ten minutes" }, /alerts\.cooldownMs is a number of milliseconds: write e\.g\. 5000/);
  rejects({ closeTimeoutMs: -5 }, /alerts\.closeTimeoutMs/);
  rejects({ maxPendingDeliveries: 0 }, /alerts\.maxPendingDeliveries must be a positive integer/);
  rejects({ webhooks: [{ ...webhooks[0], format: "teams" }] }, /`format` must be "json" \(default\) or "slack", not "teams"/);
  rejects({ webhooks: { url: "http://x" } }, /alerts\.webhooks must be an array/);
  rejects({}, /block\.kinds has "scanner"; the finding kinds are "spike", .*"scan", "attack_campaign" or "log_drops"/, {
    block: { kinds: ["scanner"] },
  });
  // The valid forms still construct.
  const fine = observe({
    store: false,
    handleSignals: false,
    alerts: {
      webhooks: [{ ...webhooks[0]!, format: "slack" }],
      minSeverity: "info",
      attempts: 1,
      timeoutMs: 100,
      backoffMs: 0,
      cooldownMs: 0,
    },
    block: { kinds: ["scan"] },
  });
  void fine.close();
});

test("close() waits for a hanging webhook at most alerts.closeTimeoutMs, then abandons and says so", { timeout: 10_000 }, async () => {
  let requests = 0;
  // A receiver that reads the request and never answers.
  const server = createServer((req) => {
    requests++;
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const logger = recordingLogger();
  const observed = observe({
    store: false,
    handleSignals: false,
    logger,
    // Four attempts of 5 s each, with backoff, would hold close() for about 27 s.
    alerts: { webhooks: [{ url, secret: "0123456789abcdef0123" }], closeTimeoutMs: 300 },
  });
  try {
    for (let i = 0; i < 30; i++) {
      observed.observer.onAuthEvent?.({ type: "failure", timestamp: Date.now(), ip: "192.0.2.78", user: `u${i}`, request: {} as never });
    }
    await observed.flush();
    await waitFor(() => requests > 0, 5_000, "a delivery to start");
    const started = Date.now();
    await observed.close();
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2_000, `close waited about closeTimeoutMs: ${took} ms`);
    const abandoned = logger.lines.findIndex((line) => line.includes("were abandoned"));
    assert.ok(abandoned >= 0, logger.lines.join("\n"));
    assert.ok(Number(logger.fields[abandoned]?.abandoned) >= 1);
    assert.equal(observed.stats().alerts.delivered, 0);
    assert.ok(observed.stats().alerts.droppedDeliveries >= 1);
    assert.equal(
      logger.lines.filter((line) => line.includes("alert webhook failed")).length,
      0,
      "abandoned deliveries are one summary line, not an error each",
    );
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

/** Failures before the queue tries the batch behind a failing one. */
const PROBES_NEEDED = 3;

test("queue: a failing sink keeps every batch that fits, retried with backoff, and writes them all once it is back", async () => {
  let down = true;
  const written: number[] = [];
  const attemptsAt: number[] = [];
  const logger = recordingLogger();
  const queue = createBatchQueue<number>({
    capacity: 20,
    batchSize: 2,
    intervalMs: 2,
    retryDelayMs: 10,
    maxRetryDelayMs: 40,
    flushRetryMs: 30,
    logger,
    write: async (batch) => {
      attemptsAt.push(Date.now());
      if (down) throw new Error("connect ECONNREFUSED");
      written.push(...batch);
    },
  });
  for (let i = 1; i <= 10; i++) queue.push(i);
  await queue.flush();
  assert.equal(queue.stats().pending, 10, "a flush during the outage ends, and keeps the entries");
  // Well past what five attempts 250 ms apart used to allow, at these delays.
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(queue.stats().pending, 10);
  assert.ok(queue.stats().failedWrites >= 6, JSON.stringify(queue.stats()));
  const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!);
  assert.ok(Math.max(...gaps) >= 35, `the delay grows to its cap: ${gaps}`);
  down = false;
  await waitFor(() => queue.stats().pending === 0);
  assert.deepEqual(written, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "every entry is written, in order");
  assert.equal(queue.stats().dropped, 0);
  assert.deepEqual(
    logger.lines.filter((line) => line.includes("decision log")),
    [
      "warn decision log: write failed; retrying with backoff, entries wait in the queue meanwhile",
      "warn decision log: writes resumed; the entries kept meanwhile are being written",
    ],
    "an outage is two log lines, not one per retry",
  );
  await queue.close();
});

test("queue: a batch the sink refuses while it accepts others is given up; the queue goes on", async () => {
  const written: string[] = [];
  const logger = recordingLogger();
  const queue = createBatchQueue<string>({
    batchSize: 2,
    intervalMs: 2,
    retryDelayMs: 5,
    maxRetryDelayMs: 5,
    logger,
    write: async (batch) => {
      if (batch.includes("bad")) throw new Error('null value in column "ip" violates not-null constraint');
      written.push(...batch);
    },
  });
  for (const entry of ["a", "bad", "b", "c", "d"]) queue.push(entry);
  await waitFor(() => queue.stats().pending === 0);
  assert.deepEqual(written.sort(), ["b", "c", "d"], "the batch behind is written; the refused one is dropped");
  assert.equal(queue.stats().dropped, 2, "the bad batch's entries are counted");
  assert.ok(logger.lines.some((line) => line.includes("dropped a batch the database refuses while it accepts others")));
  queue.push("e");
  await queue.flush();
  assert.ok(written.includes("e"), "later entries are written at once");
  await queue.close();
});

test("queue: a refused entry does not take what arrives after it into its batch", async () => {
  // The failing head batch grew with every retry (up to batchSize) while entries trickled in, so nothing was ever behind
  // it to probe with: the log stalled until it was full, then lost every entry in it with the refused one.
  const written: string[] = [];
  const queue = createBatchQueue<string>({
    batchSize: 50,
    intervalMs: 60_000,
    retryDelayMs: 1,
    maxRetryDelayMs: 1,
    flushRetryMs: 0,
    logger: recordingLogger(),
    write: async (batch) => {
      if (batch.includes("bad")) throw new Error("invalid byte sequence for encoding UTF8: 0x00");
      written.push(...batch);
    },
  });
  queue.push("bad");
  await queue.flush();
  for (let i = 0; i < 10; i++) {
    queue.push(`row ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await queue.flush();
  }
  assert.deepEqual(
    written,
    Array.from({ length: 10 }, (_, i) => `row ${i}`),
  );
  assert.deepEqual(queue.stats(), { accepted: 11, written: 10, dropped: 1, failedWrites: queue.stats().failedWrites, pending: 0 });
  await queue.close();
});

test("queue: a full queue whose sink keeps failing keeps its oldest entries and drops (and counts) new ones", async () => {
  let down = true;
  const written: number[] = [];
  const queue = createBatchQueue<number>({
    capacity: 4,
    batchSize: 2,
    intervalMs: 60_000,
    retryDelayMs: 1,
    flushRetryMs: 50,
    logger: recordingLogger(),
    write: async (batch) => {
      if (down) throw new Error("database down");
      written.push(...batch);
    },
  });
  for (let i = 1; i <= 6; i++) queue.push(i);
  await queue.flush();
  assert.deepEqual(queue.stats(), { accepted: 4, written: 0, dropped: 2, failedWrites: queue.stats().failedWrites, pending: 4 });
  assert.ok(queue.stats().failedWrites > PROBES_NEEDED, "retried, and probed, without giving anything up");
  down = false;
  await queue.close();
  assert.deepEqual(written, [1, 2, 3, 4]);
});

test("queue: reserved pushes use room beyond capacity, and only they", async () => {
  const queue = createBatchQueue<string>({
    capacity: 2,
    reserve: 1,
    intervalMs: 60_000,
    logger: recordingLogger(),
    write: async () => {},
  });
  queue.push("a");
  queue.push("b");
  assert.equal(queue.push("c"), false, "full");
  assert.equal(queue.push("alert", true), true, "the reserve takes what reports the loss");
  assert.equal(queue.push("alert 2", true), false, "the reserve is bounded too");
  assert.deepEqual(queue.stats(), { accepted: 3, written: 0, dropped: 2, failedWrites: 0, pending: 3 });
  await queue.close();
  assert.equal(queue.stats().written, 3);
});

test("queue: close retries a failing sink for closeRetryMs, then counts what is left", async () => {
  let down = true;
  const written: string[] = [];
  const logger = recordingLogger();
  const queue = createBatchQueue<string>({
    intervalMs: 60_000,
    retryDelayMs: 20,
    flushRetryMs: 0,
    closeRetryMs: 1_000,
    logger,
    write: async (batch) => {
      if (down) throw new Error("database down");
      written.push(...batch);
    },
  });
  queue.push("a");
  queue.push("b");
  setTimeout(() => {
    down = false;
  }, 60);
  await queue.close();
  assert.deepEqual(written, ["a", "b"], "a sink back within closeRetryMs still gets everything");
  assert.equal(queue.stats().dropped, 0);

  const failing = createBatchQueue<string>({
    intervalMs: 60_000,
    retryDelayMs: 20,
    closeRetryMs: 150,
    logger,
    write: async () => {
      throw new Error("database down");
    },
  });
  failing.push("x");
  const closing = Date.now();
  await failing.close();
  const took = Date.now() - closing;
  assert.ok(took >= 140 && took < 1_000, `close gave up after closeRetryMs: ${took} ms`);
  assert.equal(failing.stats().dropped, 1);
  assert.ok(logger.lines.some((line) => line.includes("entries lost at close")));
});

test("queue: an item weighs its entries: capacity and batches count them, an item is never split, drops count them all", async () => {
  const written: string[][] = [];
  let fail = false;
  const queue = createBatchQueue<{ name: string; rows: number }>({
    capacity: 10,
    batchSize: 4,
    intervalMs: 60_000,
    flushRetryMs: 0,
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
  assert.equal(queue.stats().pending, 5, "a failing batch stays queued");
  await queue.close(0);
  assert.equal(queue.stats().dropped, 6, "left at close, it is counted with all its entries");
});

/** A real receiver that records what reaches it and answers with `answer`. */
async function receiver(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const redirectAlert: Alert = {
  id: "r1",
  ts: 0,
  kind: "scan",
  severity: "critical",
  subject: "ip:192.0.2.9",
  summary: "scan",
  evidence: {},
};
function realDelivery() {
  return { fetch, attempts: 3, backoffMs: 1, timeoutMs: 5_000, nowSeconds: () => Math.floor(Date.now() / 1000), sleep: async () => {} };
}

test("alerts: a webhook that answers a redirect is not followed, and the alert is not counted as delivered", async () => {
  // Followed, a 302 turned the POST into a GET without the alert, its 200 counted as delivered; a 307 re-sent the
  // signed alert to the host the Location named.
  const elsewhere = await receiver((_req, res) => res.writeHead(200).end("ok"));
  const hook = await receiver((req, res) => {
    const to = req.url === "/found" ? "/landing" : `${elsewhere.origin}/stolen`;
    res.writeHead(req.url === "/found" ? 302 : 307, { location: to }).end();
  });
  try {
    const secret = "0123456789abcdef0123";
    const found = await deliver({ url: `${hook.origin}/found`, secret }, redirectAlert, realDelivery());
    assert.equal(found.ok, false);
    assert.equal(found.attempts, 1, "a redirect is the configuration's fault: not retried");
    assert.match(found.error ?? "", /HTTP 302, a redirect: not followed/);
    const temporary = await deliver({ url: `${hook.origin}/temporary`, secret }, redirectAlert, realDelivery());
    assert.equal(temporary.ok, false);
    assert.deepEqual(hook.seen, ["POST /found", "POST /temporary"], "the redirect targets were never asked");
    assert.deepEqual(elsewhere.seen, [], "the signed alert went nowhere else");
  } finally {
    await hook.close();
    await elsewhere.close();
  }
});

test("alerts: a failing webhook's log line says why, and never carries its path or credentials", async () => {
  // A Slack incoming-webhook URL is its own secret: the log names the origin only.
  const plain = await receiver((_req, res) => res.writeHead(200).end("ok"));
  const logger = recordingLogger();
  const url = `${plain.origin.replace("http:", "https:")}/services/T000/B000/XXXXSECRET`;
  const observed = observe({
    store: false,
    handleSignals: false,
    logger,
    alerts: { webhooks: [{ url, secret: "0123456789abcdef0123" }], attempts: 1 },
  });
  try {
    for (let i = 0; i < 30; i++) {
      observed.observer.onAuthEvent?.({ type: "failure", timestamp: Date.now(), ip: "192.0.2.78", user: `u${i}`, request: {} as never });
    }
    await observed.close();
    const failed = logger.lines.findIndex((line) => line.includes("alert webhook failed"));
    assert.ok(failed >= 0, logger.lines.join("\n"));
    const fields = logger.fields[failed] ?? {};
    // TLS spoken to a plain HTTP server: the reason is fetch's `cause`, once reported as a bare "fetch failed".
    assert.match(String(fields.error), /^fetch failed: .+/);
    assert.equal(fields.url, `${new URL(url).origin}/…`);
    assert.ok(!JSON.stringify(logger.fields).includes("XXXXSECRET"), "the URL's secret part is not logged");
  } finally {
    await observed.close();
    await plain.close();
  }
  // fetch refuses user:password@ URLs: every delivery failed and logged the password. Now refused at construction.
  assert.throws(
    () =>
      observe({
        store: false,
        handleSignals: false,
        alerts: { webhooks: [{ url: "https://ops:hunter2secret@hooks.example.com/p", secret: "0123456789abcdef0123" }] },
      }),
    (error: Error) => /includes credentials .*remove them/.test(error.message) && !error.message.includes("hunter2secret"),
  );
  assert.throws(
    () => observe({ store: false, handleSignals: false, alerts: { webhooks: [{ url: "https://", secret: "0123456789abcdef0123" }] } }),
    /not a valid URL/,
  );
});
