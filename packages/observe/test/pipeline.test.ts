import assert from "node:assert/strict";
import { test } from "node:test";
import { type Alert, blockListRule, observe, payloadFor, sqliteLog } from "../src/index.js";
import { manualClock, parapet, recordingLogger, request, tempDir } from "./helpers.js";

const DAY = 86_400_000;

test("retention runs when its interval is due on the maintenance tick: decisions first, rollups later", async () => {
  const dir = tempDir();
  const clock = manualClock(Date.UTC(2025, 0, 10));
  const observed = observe({
    store: sqliteLog({ path: `${dir.path}/retention.db` }),
    clock,
    logger: recordingLogger(),
    handleSignals: false,
    retention: { decisionDays: 1, rollupDays: 2, intervalMs: 3_600_000 },
  });
  try {
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    for (let i = 0; i < 5; i++) await guard.protect(request(`192.0.2.${i + 1}`));
    await observed.flush();
    const start = clock.now();
    const rollupTotal = async () =>
      (await observed.query!.overview({ from: start - DAY, to: start + DAY, bucketMinutes: 1440 })).reduce((sum, p) => sum + p.total, 0);
    assert.equal(await rollupTotal(), 5);
    const decisions = async () => (await observed.query!.decisions({ from: start - DAY, to: start + DAY, limit: 100 })).decisions.length;
    assert.equal(await decisions(), 5);

    clock.advance(30 * 60_000);
    observed.tick();
    await observed.flush();
    assert.equal(await decisions(), 5, "not due yet: the interval is an hour");

    clock.advance(DAY + 3_600_000);
    observed.tick();
    await observed.flush();
    assert.equal(await decisions(), 0, "raw decisions older than a day are gone");
    assert.equal(await rollupTotal(), 5, "rollups outlive raw decisions");

    clock.advance(DAY);
    observed.tick();
    await observed.flush();
    assert.equal(await rollupTotal(), 0, "rollups older than two days are gone");
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("retention runs on the first tick once the tables exist, not an interval after start", async () => {
  const dir = tempDir();
  const start = Date.UTC(2025, 0, 10);
  const clock = manualClock(start);
  // Through the log worker: it hears that the tables exist from the main thread.
  const observed = observe({
    store: sqliteLog({ path: `${dir.path}/first-run.db` }),
    clock,
    logger: recordingLogger(),
    handleSignals: false,
  });
  try {
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    clock.set(start - 30 * DAY);
    for (let i = 0; i < 3; i++) await guard.protect(request("192.0.2.9", "/old"));
    clock.set(start);
    await guard.protect(request("192.0.2.9", "/new"));
    await observed.flush();
    const paths = async () =>
      (await observed.query!.decisions({ from: start - 31 * DAY, to: start + DAY, limit: 10 })).decisions.map((d) => d.path);
    assert.deepEqual(await paths(), ["/new", "/old", "/old", "/old"]);
    // A process that lives less than the hourly interval (a CLI run, a short job, a crash loop) still keeps the log bounded.
    observed.tick();
    await observed.flush();
    assert.deepEqual(await paths(), ["/new"], "decisions older than 7 days are gone after the first tick");
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("the block list inside a real parapet() client: a scanner is blocked, others are not, and the block expires", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 11));
  const observed = observe({
    store: false,
    clock,
    logger: recordingLogger(),
    handleSignals: false,
    block: { durationMs: 5 * 60_000 },
  });
  const guard = parapet({ rules: [blockListRule(observed.blockList)], observers: [observed.observer], clock });
  const scanner = "198.51.100.66";
  try {
    for (let i = 0; i < 40; i++) {
      clock.advance(50);
      const decision = await guard.protect(request(scanner, `/wp-admin/probe-${i}.php`));
      assert.equal(decision.conclusion, "ALLOW", "the scanner is not blocked before the detector has run");
      observed.recordStatus(decision, 404);
    }
    observed.tick();
    await observed.flush(); // the detectors run in the log worker: their findings come back as messages
    assert.ok(
      observed.alerts().some((a) => a.kind === "scan" && a.subject === `ip:${scanner}`),
      "the 404 walk is reported",
    );
    const blocked = await guard.protect(request(scanner, "/"));
    assert.equal(blocked.conclusion, "DENY");
    assert.equal(blocked.reason.type, "BLOCKLIST");
    assert.equal((await guard.protect(request("192.0.2.10", "/"))).conclusion, "ALLOW", "a bystander is not blocked");

    clock.advance(5 * 60_000 + 1);
    assert.equal((await guard.protect(request(scanner, "/"))).conclusion, "ALLOW", "the block ends after its TTL");
  } finally {
    await observed.close();
  }
});

test("a careful scanner (one missing path every 2 s, never a burst) is caught by the slow probing bucket; a broken page is not", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 12));
  const observed = observe({ store: false, clock, logger: recordingLogger(), handleSignals: false, block: false, worker: false });
  const guard = parapet({ rules: [], observers: [observed.observer], clock });
  try {
    // A page with 6 missing assets, reloaded 20 times by one visitor: many 404s, few distinct paths.
    for (let reload = 0; reload < 20; reload++) {
      for (let asset = 0; asset < 6; asset++) {
        clock.advance(100);
        observed.recordStatus(await guard.protect(request("192.0.2.20", `/img/missing-${asset}.png`)), 404);
      }
    }
    for (let i = 0; i < 40; i++) {
      clock.advance(2_000);
      observed.recordStatus(await guard.protect(request("203.0.113.99", `/backup-${i}.zip`)), 404);
    }
    observed.tick();
    const scans = observed.alerts().filter((a) => a.kind === "scan");
    assert.deepEqual(
      scans.map((a) => a.subject),
      ["ip:203.0.113.99"],
    );
    assert.equal(scans[0]?.evidence.bucket, "slowProbingPerIp");
  } finally {
    await observed.close();
  }
});

test("a full capture ring drops and counts instead of growing, and the drop becomes an alert", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 13));
  const logger = recordingLogger();
  // Scan detection off: its alert row would be one more entry dropped by the full queue.
  const observed = observe({
    store: false,
    clock,
    logger,
    handleSignals: false,
    detectors: { scan: false },
    queue: { capacity: 100, batchSize: 1000 },
  });
  const guard = parapet({ rules: [], observers: [observed.observer], clock });
  try {
    for (let i = 0; i < 250; i++) await guard.protect(request("192.0.2.30", `/p/${i}`));
    const stats = observed.stats().queue;
    assert.equal(stats.dropped, 150);
    assert.equal(stats.pending + stats.written, 100);
    observed.tick();
    assert.ok(observed.alerts().some((a) => a.kind === "log_drops" && a.evidence.dropped === 150));
    assert.ok(logger.lines.some((line) => line.includes("dropped")));
  } finally {
    await observed.close();
  }
});

test("slack payload: text and blocks, and attacker-chosen text cannot mention @channel or smuggle a link", () => {
  const alert: Alert = {
    id: "a1",
    ts: Date.UTC(2025, 0, 1),
    kind: "brute_force",
    severity: "critical",
    subject: "user:<!channel>",
    summary: 'Account "<https://evil.example|reset here> & co" keeps failing to log in.',
    evidence: { bucket: "failuresPerUser" },
  };
  const body = JSON.parse(payloadFor(alert, "slack")) as {
    text: string;
    blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
  };
  assert.match(body.text, /^:rotating_light: \*Parapet brute force\* \(critical\)/);
  assert.ok(!body.text.includes("<"), body.text);
  assert.ok(body.text.includes("&lt;!channel&gt;") && body.text.includes("&amp; co"), body.text);
  assert.deepEqual(
    body.blocks.map((b) => b.type),
    ["section", "context"],
  );
  assert.equal(body.blocks[0]?.text?.type, "mrkdwn");
  assert.equal(body.blocks[0]?.text?.text, body.text);
  assert.match(body.blocks[1]?.elements?.[0]?.text ?? "", /alert a1 at 2025-01-01T00:00:00.000Z/);
  const json = JSON.parse(payloadFor(alert, "json")) as { source: string; alert: Alert };
  assert.deepEqual(json, { source: "parapet", alert });
});
