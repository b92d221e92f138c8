import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, test } from "node:test";
import { createQuery, type DecisionFilter, migrate, type SqlDriver, type SqlValue, sqliteLog } from "../src/index.js";
import { applyRetention } from "../src/retention.js";
import { tempDir } from "./helpers.js";
import { decisionLogSuite, seedDecisions } from "./log-suite.js";
import { rollupSuite } from "./rollup-suite.js";

const dir = tempDir();
after(() => dir.remove());
let counter = 0;
decisionLogSuite("sqlite", async () => sqliteLog({ path: join(dir.path, `log-${counter++}.db`) }));
rollupSuite("sqlite", async () => sqliteLog({ path: join(dir.path, `log-${counter++}.db`) }));

test("sqlite: the file is in WAL mode and reopening keeps the data", async () => {
  const path = join(dir.path, "nested", "folder", "wal.db");
  const driver = sqliteLog({ path });
  await migrate(driver);
  const [mode] = await driver.all<{ journal_mode: string }>("PRAGMA journal_mode");
  assert.equal(mode?.journal_mode, "wal");
  await driver.transaction([
    {
      sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: ["a1", 1, "scan", "warning", "ip:x", "s", "{}"],
    },
  ]);
  await driver.close();
  const again = sqliteLog({ path });
  await migrate(again);
  const rows = await again.all<{ id: string }>("SELECT id FROM parapet_alerts");
  assert.deepEqual(
    rows.map((r) => r.id),
    ["a1"],
  );
  await again.close();
});

test("sqlite: a failed statement rolls the whole batch back", async () => {
  const driver = sqliteLog({ path: join(dir.path, "rollback.db") });
  await migrate(driver);
  const insert = "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)";
  await assert.rejects(
    driver.transaction([
      { sql: insert, params: ["ok", 1, "scan", "warning", "s", "s", "{}"] },
      { sql: insert, params: ["bad", 1, "scan", "warning", "s", "s", null] },
    ]),
  );
  assert.deepEqual(await driver.all("SELECT id FROM parapet_alerts"), []);
  await driver.close();
});

test("sqlite: bad options are rejected at construction", () => {
  assert.throws(() => sqliteLog({ path: "" }), /path/);
});

const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
const hasNodeSqlite = (() => {
  try {
    return getBuiltin?.("node:sqlite") !== undefined;
  } catch {
    return false;
  }
})();

test("sqlite: the node:sqlite fallback works where it exists, and says what to do where it does not", async () => {
  const path = join(dir.path, "builtin.db");
  if (!hasNodeSqlite) {
    assert.throws(() => sqliteLog({ path, engine: "node:sqlite" }), /node:sqlite needs Node >= 22.13/);
    return;
  }
  const driver = sqliteLog({ path, engine: "node:sqlite" });
  assert.match(driver.description, /^node:sqlite /);
  await migrate(driver);
  await driver.transaction([
    {
      sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: ["n1", 1, "scan", "info", "s", "s", "{}"],
    },
  ]);
  assert.deepEqual(
    (await driver.all<{ id: string }>("SELECT id FROM parapet_alerts")).map((r) => r.id),
    ["n1"],
  );
  await driver.close();
  await driver.close(); // node:sqlite itself throws "database is not open" here; the driver does not
});

test("sqlite: the default engine is node:sqlite on Node >= 24 and better-sqlite3 before it; either can be forced", async () => {
  const major = Number(process.versions.node.split(".")[0]);
  const chosen = sqliteLog({ path: join(dir.path, "default-engine.db") });
  assert.match(chosen.description, major >= 24 ? /^node:sqlite / : /^better-sqlite3 /);
  await chosen.close();
  const addonMajor = Number((createRequire(import.meta.url)("better-sqlite3/package.json") as { version: string }).version.split(".")[0]);
  const path = join(dir.path, "forced-engine.db");
  if (major >= 24 && addonMajor < 13) {
    // Opening it is what would plant the abort (its objects are freed by a later GC), so it must fail before that.
    assert.throws(() => sqliteLog({ path, engine: "better-sqlite3" }), /can abort a Node .*Leave `engine` unset/);
    assert.equal(existsSync(path), false, "refused before the file was created");
    return;
  }
  const forced = sqliteLog({ path, engine: "better-sqlite3" });
  assert.match(forced.description, /^better-sqlite3 /);
  await forced.close();
});

test("sqlite: the log's writes go between retention's chunks instead of waiting out the backlog", async () => {
  const day = 86_400_000;
  const now = Date.UTC(2025, 0, 20);
  const driver = sqliteLog({ path: join(dir.path, "retention-stall.db") });
  await migrate(driver);
  await seedDecisions(driver, 20_000, now - 10 * day, 100, "old");
  // The log's writer shares the connection and the thread (the log worker's, or the app's with worker: false): a
  // write every turn of the event loop. One DELETE of the backlog was one synchronous statement, so no write, timer or
  // request ran until it ended (10 s for 3 million rows; the queue filled and dropped decisions).
  let running = true;
  let writesDuring = 0;
  const writer = (async () => {
    for (let i = 0; running; i++) {
      await driver.transaction([
        {
          sql: "INSERT INTO parapet_rollups (minute, total, allowed, denied, errored, bots, attacks, status_4xx, status_5xx) VALUES (?, 1, 1, 0, 0, 0, 0, 0, 0)",
          params: [now + i * 60_000],
        },
      ]);
      writesDuring++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await new Promise((resolve) => setImmediate(resolve));
  const before = writesDuring;
  assert.equal(await applyRetention(driver, { decisionDays: 7, rollupDays: 90 }, now, { chunkRows: 1_000 }), true);
  const between = writesDuring - before;
  running = false;
  await writer;
  assert.ok(between >= 10, `writes went between the 20 chunks (${between})`);
  const [left] = await driver.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_decisions");
  assert.equal(Number(left?.n), 0, "and the whole backlog is gone");
  await driver.close();
});

test("sqlite: a search for denials, a rule or an attack reads the flagged-rows index, not every row of the range", async () => {
  const driver = sqliteLog({ path: join(dir.path, "plan.db") });
  await migrate(driver);
  // Every SELECT on parapet_decisions that decisions() sends, with its parameters, to ask SQLite how it runs it.
  const sent: { sql: string; params: readonly SqlValue[] }[] = [];
  const spy: SqlDriver = {
    ...driver,
    all: (sql, params = []) => {
      if (sql.includes("FROM parapet_decisions")) sent.push({ sql, params });
      return driver.all(sql, params);
    },
  };
  const query = createQuery(spy);
  const range = { from: 0, to: 7 * 86_400_000 };
  const plans = async (filter: Partial<DecisionFilter>) => {
    sent.length = 0;
    await query.decisions({ ...range, ...filter });
    assert.ok(sent.length > 0, "decisions() read the table");
    const details = [];
    for (const { sql, params } of sent) {
      const rows = await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
      details.push(rows.map((row) => row.detail).join("; "));
    }
    return details;
  };
  for (const filter of [
    { conclusion: "DENY" },
    { conclusion: "ERROR" },
    { ruleId: "SHIELD" },
    { attackClass: "sqli", path: "/x" },
  ] as const) {
    for (const plan of await plans(filter)) assert.match(plan, /USING INDEX parapet_decisions_flagged/, JSON.stringify(filter));
  }
  for (const plan of await plans({ path: "/x" })) assert.doesNotMatch(plan, /parapet_decisions_flagged/, "a path search cannot use it");
  await driver.close();
});
