import assert from "node:assert/strict";
import { test } from "node:test";
import { createQuery, migrate, observe, type SqlDriver } from "../src/index.js";
import { denyAttackPaths, manualClock, parapet, recordingLogger, request } from "./helpers.js";

const HOUR = 3_600_000;

/** The long-range dashboard queries read the rollups, and agree with the raw rows they summarise. */
export function rollupSuite(name: string, open: () => Promise<SqlDriver>): void {
  test(`${name}: long ranges read the hourly top lists and the per-rule denial rollup`, async () => {
    const h0 = Date.UTC(2025, 0, 1, 0, 0, 0);
    const clock = manualClock(h0);
    const driver = await open();
    const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
    const guard = parapet({ rules: [denyAttackPaths], observers: [observed.observer], clock });
    // Hours 0-3: 192.0.2.1 five times an hour; hour 1 also three attacks from 192.0.2.2. Hour 4 (still open): 192.0.2.3 twice.
    for (let hour = 0; hour < 4; hour++) {
      clock.set(h0 + hour * HOUR + 10 * 60_000);
      for (let i = 0; i < 5; i++) await guard.protect(request("192.0.2.1", "/home"));
      if (hour === 1) for (let i = 0; i < 3; i++) await guard.protect(request("192.0.2.2", "/attack"));
    }
    clock.set(h0 + 4 * HOUR + 10 * 60_000);
    for (let i = 0; i < 2; i++) await guard.protect(request("192.0.2.3", "/home"));
    observed.tick(clock.now());
    await observed.flush();

    const hours = await driver.all<{ hour: number }>("SELECT hour FROM parapet_top_hours ORDER BY hour");
    assert.deepEqual(
      hours.map((h) => Number(h.hour) - h0),
      [0, HOUR, 2 * HOUR, 3 * HOUR],
      "the four closed hours are rolled up, the open one is not",
    );
    // Raw rows of hour 0 deleted: a long range still counts them, so it must be reading the rollup.
    await driver.transaction([{ sql: "DELETE FROM parapet_decisions WHERE ts < ?", params: [h0 + HOUR] }]);
    const query = observed.query!;
    const range = { from: h0, to: h0 + 5 * HOUR };
    assert.deepEqual(await query.top({ ...range, by: "ip" }), [
      { value: "192.0.2.1", total: 20, denied: 0 },
      { value: "192.0.2.2", total: 3, denied: 3 },
      { value: "192.0.2.3", total: 2, denied: 0 },
    ]);
    assert.deepEqual(await query.top({ ...range, by: "ruleId" }), [{ value: "SHIELD", total: 3, denied: 3 }]);
    // A short range reads raw rows: hour 0 is gone there.
    assert.deepEqual(await query.top({ from: h0, to: h0 + HOUR, by: "ip" }), []);
    assert.deepEqual(await query.deniedByRule({ ...range, bucketMinutes: 60 }), [{ ts: h0 + HOUR, ruleId: "SHIELD", denied: 3 }]);

    // A second tick in the same hour rolls nothing twice.
    observed.tick(clock.now());
    await observed.flush();
    const [count] = await driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_top_hourly WHERE dimension = 'ip'");
    assert.equal(Number(count?.n), 5, "one row per hour and IP");
    await observed.close();
  });

  test(`${name}: migration 2 backfills the per-rule denials of a log written before it`, async () => {
    const driver = await open();
    await migrate(driver);
    // Back to a version-1 log holding two denials by one rule and one without a deciding rule.
    await driver.exec("DROP TABLE parapet_rule_denials");
    await driver.transaction([
      { sql: "DELETE FROM parapet_migrations WHERE version = 2", params: [] },
      ...[
        ["a", 60_000, "SHIELD"],
        ["b", 61_000, "SHIELD"],
        ["c", 120_000, null],
      ].map(([id, ts, rule]) => ({
        sql: `INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, rule_id, ip, method, path, duration_ms, results)
VALUES (?, ?, 'DENY', 1, 'SHIELD', ?, '192.0.2.1', 'GET', '/', 0, '[]')`,
        params: [id as string, ts as number, rule as string | null],
      })),
    ]);
    await migrate(driver);
    const rows = await driver.all<{ minute: number; rule_id: string; denied: number }>(
      "SELECT minute, rule_id, denied FROM parapet_rule_denials ORDER BY minute",
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.minute), r.rule_id, Number(r.denied)]),
      [
        [60_000, "SHIELD", 2],
        [120_000, "(none)", 1],
      ],
    );
    await driver.close();
  });

  test(`${name}: migration 3 lists the IP minutes of a log written before it, then drops the (ip, ts) index`, async () => {
    const driver = await open();
    await migrate(driver);
    // Back to a version-2 log: no parapet_ip_minutes, the (ip, ts) index in place, three rows in two minutes.
    await driver.exec("DROP TABLE parapet_ip_minutes; CREATE INDEX parapet_decisions_ip_ts ON parapet_decisions (ip, ts)");
    await driver.transaction([
      { sql: "DELETE FROM parapet_migrations WHERE version = 3", params: [] },
      ...[
        ["a", 60_000, "192.0.2.1"],
        ["b", 119_999, "192.0.2.1"],
        ["c", 180_500, "192.0.2.1"],
        ["d", 61_000, "192.0.2.2"],
      ].map(([id, ts, ip]) => ({
        sql: `INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, rule_id, ip, method, path, duration_ms, results)
VALUES (?, ?, 'ALLOW', 0, 'ALLOWED', NULL, ?, 'GET', '/', 0, '[]')`,
        params: [id as string, ts as number, ip as string],
      })),
    ]);
    await migrate(driver);
    const rows = await driver.all<{ ip: string; minute: number }>("SELECT ip, minute FROM parapet_ip_minutes ORDER BY ip, minute");
    assert.deepEqual(
      rows.map((r) => [r.ip, Number(r.minute)]),
      [
        ["192.0.2.1", 60_000],
        ["192.0.2.1", 180_000],
        ["192.0.2.2", 60_000],
      ],
    );
    const page = await createQuery(driver).decisions({ from: 0, to: 600_000, ip: "192.0.2.1" });
    assert.deepEqual(
      page.decisions.map((d) => d.id),
      ["c", "b", "a"],
    );
    const indexes =
      driver.dialect === "sqlite"
        ? await driver.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'parapet_decisions'")
        : await driver.all<{ name: string }>(
            "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'parapet_decisions'",
          );
    assert.ok(indexes.length > 0, "the other indexes are listed");
    assert.ok(!indexes.some((i) => i.name === "parapet_decisions_ip_ts"), "the (ip, ts) index is gone");
    await driver.close();
  });

  test(`${name}: a long top() hands back only the busiest values, not every value of the hourly lists`, async () => {
    const h0 = Date.UTC(2025, 0, 1);
    const driver = await open();
    await migrate(driver);
    // 40 rolled-up hours of IPs: two steady ones and 198 that churn (seen in one hour only, 1-7 requests), as a
    // scanned site's lists look; the open hour after them holds raw rows.
    const numbers = "WITH RECURSIVE h(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM h WHERE x < 39)";
    await driver.transaction([
      {
        sql: `${numbers}, v(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM v WHERE y < 197)
INSERT INTO parapet_top_hourly (hour, dimension, value, total, denied)
SELECT CAST(? AS BIGINT) + x * 3600000, 'ip', 'c-' || x || '-' || y, 1 + y % 7, y % 2 FROM h, v`,
        params: [h0],
      },
      {
        sql: `${numbers} INSERT INTO parapet_top_hourly (hour, dimension, value, total, denied)
SELECT CAST(? AS BIGINT) + x * 3600000, 'ip', 'steady-a', 50, 1 FROM h UNION ALL
SELECT CAST(? AS BIGINT) + x * 3600000, 'ip', 'steady-b', 40, 0 FROM h`,
        params: [h0, h0],
      },
      {
        sql: `${numbers} INSERT INTO parapet_top_hours (hour, rolled_at) SELECT CAST(? AS BIGINT) + x * 3600000, ? FROM h`,
        params: [h0, h0 + 41 * HOUR],
      },
    ]);
    const raw = (ip: string, n: number, prefix: string) => ({
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, ip, method, path, duration_ms, results)
SELECT ? || i, CAST(? AS BIGINT) + i, 'ALLOW', 0, 'ALLOWED', ?, 'GET', '/', 1, '[]' FROM n`,
      params: [n - 1, prefix, h0 + 40 * HOUR + 60_000, ip],
    });
    await driver.transaction([raw("steady-b", 500, "b-"), raw("c-3-6", 3, "c-")]);
    let rowsRead = 0;
    const counting: SqlDriver = {
      ...driver,
      transaction: (statements) => driver.transaction(statements),
      all: async <T>(sql: string, params?: readonly (string | number | null)[]) => {
        const rows = await driver.all<T>(sql, params);
        rowsRead += rows.length;
        return rows;
      },
    };
    const query = createQuery(counting);
    const range = { from: h0 - 30 * 60_000, to: h0 + 40 * HOUR + 30 * 60_000, by: "ip" as const };
    // Raw rows add to the lists (steady-b overtakes steady-a, c-3-6 its ties); of the 1,119 values at 7, the first by value.
    assert.deepEqual(await query.top({ ...range, limit: 5 }), [
      { value: "steady-b", total: 2100, denied: 0 },
      { value: "steady-a", total: 2000, denied: 40 },
      { value: "c-3-6", total: 10, denied: 0 },
      { value: "c-0-104", total: 7, denied: 0 },
      { value: "c-0-111", total: 7, denied: 1 },
    ]);
    // The hours list (40 rows) and the five answers: the 7,922 values were all read into memory to keep five.
    assert.ok(rowsRead <= 40 + 5, `rows read: ${rowsRead}`);
    await driver.close();
  });
}
