import assert from "node:assert/strict";
import { test } from "node:test";
import { createQuery, migrate, observe, type SqlDriver } from "../src/index.js";
import { applyRetention } from "../src/retention.js";
import { denyAttackPaths, labelBot, manualClock, parapet, recordingLogger, request } from "./helpers.js";

/** The same behaviour for every SQL store: each test gets a fresh, empty driver. */
export function decisionLogSuite(name: string, open: () => Promise<SqlDriver>): void {
  test(`${name}: decisions, statuses, rollups and alerts round-trip through the log`, async () => {
    const clock = manualClock(Date.UTC(2025, 0, 1, 12, 0, 0));
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [labelBot, denyAttackPaths], observers: [observed.observer], clock });
    const ok = await guard.protect(request("203.0.113.7", "/home", { "x-api-key": "secret-key-123" }), { userId: "alice" });
    clock.advance(61_000);
    const denied = await guard.protect(request("198.51.100.9", "/attack?q=1", { "x-test-bot": "scraper" }));
    observed.recordStatus(ok, 404);
    observed.recordStatus(denied.id, 403);
    await observed.flush();

    const query = observed.query!;
    const stored = await query.decision(ok.id);
    assert.ok(stored, "the allowed decision is stored");
    assert.equal(stored.conclusion, "ALLOW");
    assert.equal(stored.status, 404);
    assert.equal(stored.userId, "alice");
    assert.match(stored.apiKey ?? "", /^k_[0-9a-f]{16}$/);
    assert.ok(!JSON.stringify(stored).includes("secret-key-123"), "the raw API key is never stored");
    assert.deepEqual(
      stored.results.map((r) => r.ruleId),
      ["DETECT_BOT", "SHIELD"],
    );
    const deniedRow = await query.decision(denied.id);
    assert.equal(deniedRow?.denied, true);
    assert.equal(deniedRow?.attackClass, "sqli");
    assert.equal(deniedRow?.botClass, "scraper");
    assert.equal(deniedRow?.ruleId, "SHIELD");
    assert.equal(deniedRow?.path, "/attack");

    const start = Date.UTC(2025, 0, 1, 12, 0, 0);
    const series = await query.overview({ from: start, to: start + 3_600_000 });
    assert.deepEqual(
      series.map((p) => [p.ts - start, p.total, p.denied, p.bots, p.attacks]),
      [
        [0, 1, 0, 0, 0],
        [60_000, 1, 1, 1, 1],
      ],
    );
    assert.equal(
      series.reduce((sum, p) => sum + p.status4xx, 0),
      2,
    );
    const hourly = await query.overview({ from: start, to: start + 3_600_000, bucketMinutes: 60 });
    assert.deepEqual(
      hourly.map((p) => p.total),
      [2],
    );
    const top = await query.top({ from: start, to: start + 3_600_000, by: "ip" });
    assert.deepEqual(top.map((t) => t.value).sort(), ["198.51.100.9", "203.0.113.7"]);
    const onlyDenied = await query.decisions({ from: start, to: start + 3_600_000, conclusion: "DENY" });
    assert.deepEqual(
      onlyDenied.decisions.map((d) => d.id),
      [denied.id],
    );
    await observed.close();
  });

  test(`${name}: the decisions page is newest first and the cursor walks every row once`, async () => {
    const clock = manualClock(Date.UTC(2025, 0, 2));
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      if (i % 3 === 0) clock.advance(1000); // several rows share a timestamp: the cursor must break ties by id
      ids.push((await guard.protect(request(`192.0.2.${i}`))).id);
    }
    await observed.flush();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await observed.query!.decisions({ from: 0, to: Date.UTC(2030, 0, 1), limit: 5, ...(cursor ? { cursor } : {}) });
      assert.ok(page.decisions.length <= 5);
      seen.push(...page.decisions.map((d) => d.id));
      cursor = page.next;
    } while (cursor);
    assert.equal(seen.length, 23);
    assert.deepEqual(new Set(seen), new Set(ids));
    await observed.close();
  });

  test(`${name}: a filtered search stops at its row budget with a cursor, and walking on finds every match once`, async () => {
    const start = Date.UTC(2025, 0, 4, 8, 0, 0);
    const clock = manualClock(start);
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [denyAttackPaths], observers: [observed.observer], clock });
    const rare: { id: string; ts: number }[] = [];
    const attacks: { id: string; ts: number }[] = [];
    // 40 minutes of 12 decisions each; the rare path in a few scattered minutes, attacks in others.
    for (let minute = 0; minute < 40; minute++) {
      clock.set(start + minute * 60_000 + 1_000);
      for (let i = 0; i < 12; i++) {
        clock.advance(100);
        const path = i === 5 && minute % 13 === 0 ? "/rare" : i === 7 && minute % 9 === 4 ? "/attack" : `/page/${i}`;
        const decision = await guard.protect(request(`192.0.2.${(minute * 12 + i) % 250}`, path));
        if (path === "/rare") rare.push({ id: decision.id, ts: decision.timestamp });
        if (path === "/attack") attacks.push({ id: decision.id, ts: decision.timestamp });
      }
    }
    await observed.flush();
    // Rows without rollups (as an older writer or a hand import leaves them): the spans cover them all the same.
    await seedDecisions(driver, 3, start + 45 * 60_000, 1_000, "seeded");
    await driver.exec(`UPDATE parapet_decisions SET path = '/rare' WHERE id LIKE 'seeded-%'`);
    const seeded = [0, 1, 2].map((i) => ({ id: `seeded-${i}`, ts: start + 45 * 60_000 + i * 1_000 }));
    const range = { from: start, to: start + 3_600_000 };
    const newestFirst = (rows: { id: string; ts: number }[]) => [...rows].sort((a, b) => b.ts - a.ts).map((r) => r.id);

    // A budget of 30 rows: three minutes (36 rows) per call at most, so the 8 matches take many calls.
    const budgeted = createQuery(driver, { scanBudgetRows: 30 });
    const walk = async (filter: { path?: string; conclusion?: "DENY" }, query = budgeted) => {
      const seen: string[] = [];
      let stops = 0;
      let cursor: string | undefined;
      let calls = 0;
      do {
        const page = await query.decisions({ ...range, ...filter, limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(++calls < 100, "the walk ends");
        if (page.searchedFrom !== undefined) {
          stops++;
          assert.ok(
            page.decisions.every((d) => d.ts >= (page.searchedFrom as number)),
            "a stopped search returns only what is newer than where it stopped",
          );
        }
        seen.push(...page.decisions.map((d) => d.id));
        cursor = page.next;
      } while (cursor);
      return { seen, stops };
    };
    const rarePath = await walk({ path: "/rare" });
    assert.deepEqual(rarePath.seen, newestFirst([...rare, ...seeded]), "every match once, newest first");
    assert.ok(rarePath.stops >= 5, `the budget stopped the search between matches (${rarePath.stops} stops)`);
    // A budget below one minute's rows: every call reads one minute and still moves on.
    const tight = await walk({ path: "/rare" }, createQuery(driver, { scanBudgetRows: 5 }));
    assert.deepEqual(tight.seen, newestFirst([...rare, ...seeded]));
    // Denials are weighed by the rollups' denied counts: the flagged index reads those rows only.
    const denials = await walk({ conclusion: "DENY" });
    assert.deepEqual(denials.seen, newestFirst(attacks));
    // The default budget reads this whole log in one call.
    const whole = await observed.query!.decisions({ ...range, path: "/rare", limit: 500 });
    assert.deepEqual(
      whole.decisions.map((d) => d.id),
      newestFirst([...rare, ...seeded]),
    );
    assert.equal(whole.searchedFrom, undefined);
    assert.throws(() => createQuery(driver, { scanBudgetRows: 0 }), /scanBudgetRows/);
    await observed.close();
  });

  test(`${name}: decisions filtered by IP find every row of that IP, newest first, across sparse minutes and pages`, async () => {
    const start = Date.UTC(2025, 0, 3, 10, 0, 0);
    const clock = manualClock(start);
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [denyAttackPaths], observers: [observed.observer], clock });
    const target = "203.0.113.50";
    const mine: { id: string; ts: number; denied: boolean }[] = [];
    // 3 hours: the target shows up in scattered minutes (some runs of neighbouring minutes, some alone, several rows
    // sharing a millisecond), between other IPs' traffic; now and then on an attack path (denied).
    for (let minute = 0; minute < 180; minute++) {
      clock.set(start + minute * 60_000 + 5_000);
      for (let i = 0; i < 3; i++) await guard.protect(request(`192.0.2.${(minute + i) % 250}`, "/home"));
      const visits = minute % 17 === 0 || (minute >= 60 && minute < 64) ? 3 : minute % 29 === 0 ? 1 : 0;
      for (let v = 0; v < visits; v++) {
        if (v === 2) clock.advance(7_000);
        const path = minute % 2 === 0 && v === 0 ? "/attack" : "/home";
        const decision = await guard.protect(request(target, path));
        mine.push({ id: decision.id, ts: decision.timestamp, denied: decision.isDenied() });
      }
    }
    await observed.flush();
    const query = observed.query!;
    const newestFirst = (rows: typeof mine) => [...rows].sort((a, b) => b.ts - a.ts || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const walk = async (filter: { from: number; to: number; conclusion?: "DENY" }, limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await query.decisions({ ...filter, ip: target, limit, ...(cursor ? { cursor } : {}) });
        assert.ok(page.decisions.every((d) => d.ip === target));
        seen.push(...page.decisions.map((d) => d.id));
        cursor = page.next;
      } while (cursor);
      return seen;
    };
    const all = { from: start, to: start + 3 * 3_600_000 };
    assert.deepEqual(
      await walk(all, 7),
      newestFirst(mine).map((d) => d.id),
      "every row once, in order, 7 per page",
    );
    assert.deepEqual(
      await walk(all, 500),
      newestFirst(mine).map((d) => d.id),
      "one page",
    );
    // A range cutting through minutes: rows outside it are not returned even though their minute is listed.
    const cut = { from: start + 17 * 60_000 + 6_000, to: start + 61 * 60_000 + 8_000 };
    assert.deepEqual(
      await walk(cut, 4),
      newestFirst(mine.filter((d) => d.ts >= cut.from && d.ts < cut.to)).map((d) => d.id),
    );
    assert.deepEqual(
      await walk({ ...all, conclusion: "DENY" }, 3),
      newestFirst(mine.filter((d) => d.denied)).map((d) => d.id),
      "combined with another filter",
    );
    assert.deepEqual((await query.decisions({ ...all, ip: "198.51.100.250" })).decisions, [], "an IP never seen");
    await observed.close();
  });

  test(`${name}: retention deletes old decisions and keeps rollups longer`, async () => {
    const day = 86_400_000;
    const clock = manualClock(Date.UTC(2025, 0, 1));
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [], observers: [observed.observer], clock });
    const old = await guard.protect(request("192.0.2.1"));
    clock.advance(20 * day);
    const recent = await guard.protect(request("192.0.2.2"));
    await observed.flush();

    const policy = { decisionDays: 7, rollupDays: 30 };
    await applyRetention(driver, policy, clock.now());
    const query = observed.query!;
    assert.equal(await query.decision(old.id), undefined, "a 20-day-old decision is gone");
    assert.ok(await query.decision(recent.id));
    const everything = { from: 0, to: Date.UTC(2030, 0, 1) };
    assert.equal((await query.overview(everything)).length, 2, "both minutes' rollups are kept (30 days)");
    clock.advance(15 * day);
    await applyRetention(driver, policy, clock.now());
    assert.equal((await query.overview(everything)).length, 1, "the 35-day-old rollup is gone");
    await observed.close();
  });

  test(`${name}: retention deletes a backlog in bounded chunks, all of it in the end, and a stopped run resumes`, async () => {
    const day = 86_400_000;
    const now = Date.UTC(2025, 0, 20);
    const driver = await open();
    await migrate(driver);
    // 5,000 decisions from 10 days ago, one a second, each IP minute listed; 3 from today.
    await seedDecisions(driver, 5_000, now - 10 * day, 1_000, "old");
    await seedDecisions(driver, 3, now - 60_000, 1_000, "new");
    const count = async (sql: string) => Number((await driver.all<{ n: number }>(sql))[0]?.n);
    const deletedPerTransaction: number[] = [];
    const recording: SqlDriver = {
      ...driver,
      async transaction(statements) {
        const before = await count("SELECT COUNT(*) AS n FROM parapet_decisions");
        await driver.transaction(statements);
        deletedPerTransaction.push(before - (await count("SELECT COUNT(*) AS n FROM parapet_decisions")));
      },
      all: (sql, params) => driver.all(sql, params),
    };
    const policy = { decisionDays: 7, rollupDays: 90 };
    let chunks = 0;
    // Stopped (the log is closing) after three chunks: what those deleted stays deleted.
    assert.equal(await applyRetention(recording, policy, now, { chunkRows: 400, stopped: () => ++chunks >= 3 }), false);
    assert.equal(await count("SELECT COUNT(*) AS n FROM parapet_decisions"), 5_003 - 3 * 400);
    assert.equal(await applyRetention(recording, policy, now, { chunkRows: 400 }), true);
    // One DELETE of the whole backlog held SQLite's write lock (and timed out on PostgreSQL) for as long as it took.
    assert.ok(Math.max(...deletedPerTransaction) <= 400, `at most a chunk per transaction: ${deletedPerTransaction.join(", ")}`);
    assert.ok(deletedPerTransaction.filter((n) => n > 0).length >= 12);
    const left = await driver.all<{ id: string }>("SELECT id FROM parapet_decisions ORDER BY id");
    assert.deepEqual(
      left.map((r) => r.id),
      ["new-0", "new-1", "new-2"],
    );
    assert.equal(await count(`SELECT COUNT(*) AS n FROM parapet_ip_minutes WHERE minute < ${now - 7 * day}`), 0);
    assert.equal(await count("SELECT COUNT(*) AS n FROM parapet_ip_minutes"), 1, "today's minute is kept");
    await driver.close();
  });

  test(`${name}: bad query arguments get a clear error`, async () => {
    const driver = await open();
    await migrate(driver);
    const query = createQuery(driver);
    await assert.rejects(query.overview({ from: 10, to: 5 }), /from <= to/);
    await assert.rejects(query.overview({ from: 0, to: 5, bucketMinutes: 0 }), /bucketMinutes/);
    await assert.rejects(query.top({ from: 0, to: 5, by: "password" as "ip" }), /`by` must be one of/);
    await assert.rejects(query.decisions({ from: 0, to: 5, limit: 10_000 }), /limit/);
    await assert.rejects(query.decisions({ from: 0, to: 5, cursor: "'; DROP TABLE parapet_decisions; --" }), /cursor/);
    await assert.rejects(query.decision(""), /decision id/);
    // An injection attempt through a filter value is only ever a bound parameter.
    const page = await query.decisions({ from: 0, to: 5, ip: "1' OR '1'='1" });
    assert.equal(page.decisions.length, 0);
    await driver.close();
  });
}

/** `rows` decisions `stepMs` apart from `from` (ids `${prefix}-0`…), with their IP minutes, in one statement each. */
export async function seedDecisions(driver: SqlDriver, rows: number, from: number, stepMs: number, prefix: string): Promise<void> {
  // A recursive count both engines read; CAST keeps PostgreSQL from taking the epoch milliseconds for an int4, and
  // `WHERE 1 = 1` keeps SQLite from reading ON CONFLICT as a join constraint.
  const numbers = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)";
  const ts = "CAST(? AS BIGINT) + i * CAST(? AS BIGINT)";
  await driver.transaction([
    {
      sql: `${numbers} INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, ip, method, path, duration_ms, results)
SELECT ? || '-' || i, ${ts}, 'ALLOW', 0, 'ALLOWED', '192.0.2.1', 'GET', '/', 1, '[]' FROM n`,
      params: [rows - 1, prefix, from, stepMs],
    },
    {
      sql: `${numbers} INSERT INTO parapet_ip_minutes (ip, minute) SELECT DISTINCT '192.0.2.1', ((${ts}) / 60000) * 60000 FROM n
WHERE 1 = 1 ON CONFLICT (ip, minute) DO NOTHING`,
      params: [rows - 1, from, stepMs],
    },
  ]);
}
