import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { migrate, sqliteLog } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { decisionLogSuite } from "./log-suite.js";
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
});

test("sqlite: the default engine is node:sqlite on Node >= 24 and better-sqlite3 before it; either can be forced", async () => {
  const major = Number(process.versions.node.split(".")[0]);
  const chosen = sqliteLog({ path: join(dir.path, "default-engine.db") });
  assert.match(chosen.description, major >= 24 ? /^node:sqlite / : /^better-sqlite3 /);
  await chosen.close();
  const forced = sqliteLog({ path: join(dir.path, "forced-engine.db"), engine: "better-sqlite3" });
  assert.match(forced.description, /^better-sqlite3 /);
  await forced.close();
});
