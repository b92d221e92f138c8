import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createAlertDispatcher } from "../src/alerts/dispatcher.js";
import { createAuthDetector } from "../src/detect/auth.js";
import { createSpikeDetector } from "../src/detect/spike.js";
import type { TrafficEvent } from "../src/detect/traffic.js";
import { createBlockList, migrate, observe, rollUpClosedHours, sqliteLog } from "../src/index.js";
import { denyAttackPaths, manualClock, parapet, recordingLogger, request, tempDir, trafficEvent } from "./helpers.js";

// A wall clock can be stepped back (NTP correcting a VM that booted with a wrong clock, a restored snapshot). Nothing
// that measures time from an earlier moment may then wait for the clock to catch up with that moment.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2025, 5, 1, 12);

test("clock stepped back: a leaky bucket keeps leaking (an office's typos are not a brute force)", () => {
  const findings: Finding[] = [];
  const detector = createAuthDetector({}, (finding) => findings.push(finding));
  const fail = (ts: number, user: string) =>
    detector.observe({ type: "failure", timestamp: ts, ip: "192.0.2.7", user, request: {} as never });
  fail(T, "bob");
  // The clock goes back a day; a mistyped password every 20 minutes from the same office NAT. The per-IP bucket
  // drained only once the clock was past T again: the 11th typo, hours later, was "many failed logins".
  for (let i = 0; i < 15; i++) fail(T - DAY + 60_000 + i * 20 * 60_000, `user${i % 3}`);
  assert.deepEqual(
    findings.map((f) => f.evidence.bucket),
    [],
  );
});

test("clock stepped back: spike windows keep closing (an hour's steady traffic is not a spike)", () => {
  const findings: Finding[] = [];
  const detector = createSpikeDetector({}, (finding) => findings.push(finding));
  const event = (ts: number, i: number): TrafficEvent => trafficEvent(ts, `key-${i % 10}`);

  let i = 0;
  for (let ts = T - HOUR; ts < T; ts += 500) detector.observe(event(ts, i++));
  // Stepped back an hour: the open window stayed open until the clock reached it again, and closed as one window of
  // an hour's traffic, 360 times the baseline.
  for (let ts = T - HOUR; ts < T; ts += 500) {
    detector.observe(event(ts, i++));
    if (i % 20 === 0) detector.tick(ts);
  }
  detector.tick(T + 20_000);
  assert.deepEqual(
    findings.map((f) => f.evidence.requests),
    [],
  );
  // And a real spike after the step is still seen.
  for (let ts = T; ts < T + 60_000; ts += 20) detector.observe(event(ts, 3));
  detector.tick(T + 90_000);
  assert.ok(findings.length > 0, "a 25x jump after the step is a spike");
  assert.equal(findings[0]?.evidence.verdict, "customer");
});

test("clock stepped back: alerts are not silenced until the clock catches up", () => {
  const raised: string[] = [];
  const dispatcher = createAlertDispatcher(
    {},
    { record: (alert) => raised.push(alert.subject), logger: recordingLogger(), delivery: {} as never },
  );
  const finding: Finding = { kind: "scan", severity: "warning", subject: "ip:203.0.113.9", summary: "scan", evidence: {} };
  assert.ok(dispatcher.raise(finding, T));
  assert.equal(dispatcher.raise(finding, T + 60_000), undefined, "within the cooldown: a repeat");
  assert.equal(dispatcher.raise(finding, T - 1_000), undefined, "a finding a little out of order is a repeat too");
  // A day back: `ts - last.ts` was negative, so "within the cooldown" for a day and ten minutes.
  assert.ok(dispatcher.raise(finding, T - DAY + HOUR), "the scanner back an hour after a one-day step is alerted");
  assert.deepEqual(raised, ["ip:203.0.113.9", "ip:203.0.113.9"]);
});

test("clock stepped back: a temporary block lasts its duration, not the step as well", () => {
  const clock = manualClock(T);
  const list = createBlockList(clock);
  list.add("198.51.100.7", 10 * 60_000, "scan");
  clock.set(T - DAY);
  assert.ok(list.lookup("198.51.100.7"), "still blocked right after the step");
  clock.advance(10 * 60_000 - 1);
  assert.equal(list.entries().length, 1);
  clock.advance(1);
  // Without the fix the block held until T + 10 minutes: a day and ten minutes for a NAT's every user.
  assert.equal(list.lookup("198.51.100.7"), undefined, "ten minutes after the step, the block is over");
  assert.deepEqual(list.entries(), []);
});

test("clock stepped back: retention still runs", async () => {
  const dir = tempDir();
  const clock = manualClock(T);
  const store = sqliteLog({ path: `${dir.path}/step.db` });
  const observed = observe({ store, clock, logger: recordingLogger(), handleSignals: false, worker: false });
  try {
    await observed.ready;
    observed.tick();
    await observed.flush();
    clock.set(T - DAY);
    await store.transaction([
      {
        sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES ('old', ?, 'scan', 'warning', 's', 's', '{}')",
        params: [T - 200 * DAY],
      },
    ]);
    clock.advance(HOUR);
    observed.tick();
    await observed.flush();
    // The last run was "a day later": the hourly run waited for the clock to pass it.
    const rows = await store.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_alerts WHERE id = 'old'");
    assert.equal(Number(rows[0]?.n), 0, "an alert 200 days old is deleted an hour after the step");
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("clock stepped back: the hourly top lists count the hours lived again", async () => {
  const dir = tempDir();
  const clock = manualClock(T);
  const store = sqliteLog({ path: `${dir.path}/top.db` });
  const observed = observe({ store, clock, logger: recordingLogger(), handleSignals: false, worker: false });
  const guard = parapet({ rules: [denyAttackPaths], observers: [observed.observer], clock });
  const tickAt = async (ms: number) => {
    clock.set(ms);
    observed.tick();
    await observed.flush();
  };
  try {
    await observed.ready;
    clock.set(T + 10 * 60_000);
    for (let i = 0; i < 3; i++) await guard.protect(request("192.0.2.1"));
    await tickAt(T + HOUR + 10 * 60_000);
    // The VM's clock runs a day ahead for a while (the hours up to it are rolled up, empty), then NTP steps it back.
    await tickAt(T + DAY);
    await tickAt(T + DAY + 60_000);
    clock.set(T + 2 * HOUR + 10 * 60_000);
    for (let i = 0; i < 5; i++) await guard.protect(request("192.0.2.2"));
    await tickAt(T + 3 * HOUR + 10 * 60_000);
    // Hour T+2h was marked rolled up (empty) while the clock was ahead: its five requests were never counted, and no
    // hour was rolled up until the clock caught up a day later; the dashboard's long ranges showed nothing meanwhile.
    assert.deepEqual(await observed.query!.top({ from: T, to: T + 3 * HOUR, by: "ip" }), [
      { value: "192.0.2.2", total: 5, denied: 0 },
      { value: "192.0.2.1", total: 3, denied: 0 },
    ]);
    const rows = await store.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_top_hourly WHERE hour = ? AND dimension = 'ip'", [
      T + 2 * HOUR,
    ]);
    assert.equal(Number(rows[0]?.n), 1, "the hour lived again is rolled up again, with its rows");
  } finally {
    await observed.close();
    dir.remove();
  }
});

test("clock stepped back further than raw rows are kept: an hour whose rows retention began to delete keeps its list", async () => {
  const store = sqliteLog({ path: ":memory:" });
  await migrate(store);
  const hour = T - 3 * HOUR;
  // Both hours were rolled up while the clock read ten days on; retention then deleted the first half of `hour`.
  await store.transaction([
    {
      sql: "INSERT INTO parapet_top_hours (hour, rolled_at) VALUES (?, ?), (?, ?)",
      params: [hour, T + 10 * DAY, hour + HOUR, T + 10 * DAY],
    },
    {
      sql: "INSERT INTO parapet_top_hourly (hour, dimension, value, total, denied) VALUES (?, 'ip', 'kept', 99, 0), (?, 'ip', 'stale', 1, 0)",
      params: [hour, hour + HOUR],
    },
    {
      sql: `INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, ip, method, path, duration_ms, results)
VALUES ('a', ?, 'ALLOW', 0, 'ALLOWED', 'rest', 'GET', '/', 1, '[]'), ('b', ?, 'ALLOW', 0, 'ALLOWED', 'fresh', 'GET', '/', 1, '[]')`,
      params: [hour + 30 * 60_000, hour + HOUR + 60_000],
    },
  ]);
  assert.equal(await rollUpClosedHours(store, T), 2);
  const lists = await store.all<{ hour: number; value: string; total: number }>(
    "SELECT hour, value, total FROM parapet_top_hourly WHERE dimension = 'ip' ORDER BY hour, value",
  );
  // Counted again from what is left, `hour` would list 'rest' once instead of 'kept' 99 times.
  assert.deepEqual(
    lists.map((row) => [Number(row.hour) - hour, row.value, Number(row.total)]),
    [
      [0, "kept", 99],
      [HOUR, "fresh", 1],
    ],
  );
  const marks = await store.all<{ rolled_at: number }>("SELECT rolled_at FROM parapet_top_hours ORDER BY hour");
  assert.deepEqual(
    marks.map((row) => Number(row.rolled_at)),
    [T, T],
    "both marked now, so the next run goes on from them",
  );
  assert.equal(await rollUpClosedHours(store, T + 60_000), 0);
  await store.close();
});
