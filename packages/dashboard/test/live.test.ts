import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parapet } from "@parapet/core";
import { type DecisionLogQuery, observe, sqliteLog } from "@parapet/observe";
import { createLiveFeed, startDashboard } from "../src/index.js";
import { bearer, get, nextLiveDecision } from "./client.js";
import { quietLogger, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());

test("polling: a decision written by another process's log reaches the live tail", async () => {
  const path = join(dir.path, "poll.db");
  // The app: parapet + observe writing to the file.
  const observed = observe({ store: sqliteLog({ path }), logger: quietLogger, handleSignals: false, queue: { intervalMs: 50 } });
  await observed.ready;
  const guard = parapet({ rules: [], observers: [observed.observer], logger: quietLogger });
  // The dashboard: its own connection to the same file, as `parapet dashboard` would open.
  const reader = sqliteLog({ path });
  const dashboard = await startDashboard({ log: reader, port: 0, logger: quietLogger, pollIntervalMs: 100 });
  try {
    const seen = await nextLiveDecision(
      dashboard.url,
      dashboard.token,
      (d) => d.path === "/polled",
      async () => {
        await guard.protect(request("203.0.113.5", "/polled", { "user-agent": "<b>ua</b>" }));
      },
    );
    assert.equal(seen.ip, "203.0.113.5");
    assert.equal(seen.conclusion, "ALLOW");
    assert.equal(seen.userAgent, "<b>ua</b>");
  } finally {
    await dashboard.close();
    await reader.close();
    await observed.close();
  }
});

test("in process: a decision reaches the tail through the feed, with its deciding rule", async () => {
  const feed = createLiveFeed();
  const log = sqliteLog({ path: ":memory:" });
  const denyAll = {
    type: "SHIELD",
    mode: "LIVE" as const,
    cost: 1,
    evaluate: () => ({ conclusion: "DENY" as const, reason: { type: "SHIELD", message: "no" } }),
  };
  const guard = parapet({ rules: [denyAll], observers: [feed], logger: quietLogger });
  const dashboard = await startDashboard({ log, port: 0, observer: feed, logger: quietLogger });
  try {
    const seen = await nextLiveDecision(
      dashboard.url,
      dashboard.token,
      (d) => d.path === "/fed",
      async () => {
        await guard.protect(request("198.51.100.1", "/fed"));
      },
    );
    assert.equal(seen.denied, true);
    assert.equal(seen.ruleId, "SHIELD");
  } finally {
    await dashboard.close();
    await log.close();
  }
});

test("the live tail needs the token too", async () => {
  const log = sqliteLog({ path: ":memory:" });
  const dashboard = await startDashboard({ log, port: 0, logger: quietLogger });
  try {
    assert.equal((await get(new URL("/api/live", dashboard.url).href)).status, 401);
  } finally {
    await dashboard.close();
    await log.close();
  }
});

test("tails pipelined on one connection take one slot, not all of them", async () => {
  const log = sqliteLog({ path: ":memory:" });
  const dashboard = await startDashboard({ log, port: 0, observer: createLiveFeed(), logger: quietLogger });
  const socket = connect(dashboard.port, "127.0.0.1");
  try {
    // 32 tails (the limit) in one write. The first streams; the others wait behind it for a socket they never
    // get, and their responses never close: had they taken slots, they would hold them after the connection ends.
    const tail = `GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\nAuthorization: Bearer ${dashboard.token}\r\n\r\n`;
    socket.write(tail.repeat(32));
    await once(socket, "data");
    socket.on("data", () => {});
    const reply = await fetch(new URL("/api/live", dashboard.url), { headers: bearer(dashboard.token) });
    await reply.body?.cancel();
    assert.equal(reply.status, 200, "another tab can still open the live tail");
  } finally {
    socket.destroy();
    await dashboard.close();
    await log.close();
  }
});

test("a feed with a failing listener does not throw into the request path", () => {
  const feed = createLiveFeed();
  const stop = feed.subscribe(() => {
    throw new Error("listener bug");
  });
  const received: string[] = [];
  feed.subscribe((d) => received.push(d.id));
  const decision = {
    id: "d1",
    timestamp: 1,
    conclusion: "ALLOW",
    results: [],
    ip: "192.0.2.1",
    isDenied: () => false,
  } as unknown as Parameters<typeof feed.onDecision>[0];
  const normalized = { method: "GET", path: "/x", headers: {}, header: () => undefined } as unknown as Parameters<
    typeof feed.onDecision
  >[1];
  assert.doesNotThrow(() => feed.onDecision(decision, normalized));
  assert.deepEqual(received, ["d1"]);
  stop();
});

test("polling a log that cannot be read warns once, not on every poll, and tells the tail", async () => {
  const lines: string[] = [];
  const logger = { debug() {}, warn: (message: string) => lines.push(message), error: (message: string) => lines.push(message) };
  // PostgreSQL down, say: every read fails at once.
  const down = {
    decisions: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
  } as unknown as DecisionLogQuery;
  const dashboard = await startDashboard({ query: down, port: 0, logger, pollIntervalMs: 50 });
  // Aborted after 5 s, so a stream without the event fails the test instead of hanging it.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const reply = await fetch(new URL("/api/live", dashboard.url), { headers: bearer(dashboard.token), signal: controller.signal });
    assert.equal(reply.status, 200);
    // The tab learns why it stays empty, instead of showing "connected" over a log nobody can read.
    const reader = reply.body!.pipeThrough(new TextDecoderStream()).getReader();
    let stream = "";
    while (!stream.includes("event: status")) {
      const { value, done } = await reader.read();
      if (done) break;
      stream += value;
    }
    assert.match(stream, /event: status\ndata: \{"logReadable":false\}/);
    await sleep(1_000);
    const polls = lines.filter((line) => /live tail could not poll/.test(line));
    // About 20 polls failed; a tab left on the tail overnight wrote a line for each, 86,400 a day.
    assert.equal(polls.length, 1, `${polls.length} warnings for one outage`);
  } finally {
    clearTimeout(timer);
    controller.abort();
    await dashboard.close();
  }
});
