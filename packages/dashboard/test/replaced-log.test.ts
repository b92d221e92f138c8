import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { migrate, sqliteLog } from "@parapet/observe";
import { startDashboard } from "../src/index.js";
import { openLog } from "../src/open-log.js";
import { bearer, get } from "./client.js";
import { quietLogger, tempDir } from "./helpers.js";

/** `parapet dashboard --db <file>` while the file is deleted and written again, as when a log is started afresh. */
const dir = tempDir();
after(() => dir.remove());

async function writeLog(path: string, alertId: string): Promise<void> {
  const writer = sqliteLog({ path });
  await migrate(writer);
  await writer.transaction([
    {
      sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [alertId, Date.now() - 60_000, "scan", "warning", "ip:192.0.2.1", alertId, "{}"],
    },
  ]);
  await writer.close();
}

function removeLog(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

test("a deleted log file is reported, and a new one at the same path is read instead of the old", async () => {
  const path = join(dir.path, "decisions.db");
  await writeLog(path, "old-alert");
  const log = openLog({ db: path });
  const dashboard = await startDashboard({ log, port: 0, logger: quietLogger });
  const alerts = async () => {
    const reply = await get(new URL("/api/alerts", dashboard.url).href, bearer(dashboard.token));
    return { status: reply.status, ids: reply.status === 200 ? reply.json<{ alerts: { id: string }[] }>().alerts.map((a) => a.id) : [] };
  };
  try {
    assert.deepEqual(await alerts(), { status: 200, ids: ["old-alert"] });
    removeLog(path);
    assert.equal((await alerts()).status, 503, "a deleted log is not shown as if it were there");
    await writeLog(path, "new-alert");
    assert.deepEqual(await alerts(), { status: 200, ids: ["new-alert"] });
  } finally {
    await dashboard.close();
    await log.close();
  }
});
