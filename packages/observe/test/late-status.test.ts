import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Decision } from "@parapet/core";
import type { Finding } from "../src/alerts/alert.js";
import { CaptureRing } from "../src/capture.js";
import { migrate, observe, type SqlDriver, sqliteLog } from "../src/index.js";
import { MIGRATED } from "../src/migration.js";
import { createPipeline } from "../src/pipeline.js";
import type { SqlStatement } from "../src/sql/driver.js";
import { parapet, recordingLogger, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());
let counter = 0;

/** A SQLite log that remembers every statement it ran. */
async function recordedLog(): Promise<SqlDriver & { statements: SqlStatement[] }> {
  const inner = sqliteLog({ path: join(dir.path, `late-${counter++}.db`) });
  await migrate(inner);
  const statements: SqlStatement[] = [];
  return {
    dialect: inner.dialect,
    description: "recorded test log",
    async transaction(batch) {
      await inner.transaction(batch);
      statements.push(...batch);
    },
    all: (sql, params) => inner.all(sql, params),
    exec: (script) => inner.exec(script),
    close: () => inner.close(),
    statements,
  };
}

test("a status arriving after its decision left the capture ring joins the row while it waits, and becomes an UPDATE after", async () => {
  const driver = await recordedLog();
  const findings: Finding[] = [];
  const pipeline = createPipeline({
    driver,
    schema: MIGRATED,
    logger: recordingLogger(),
    queue: { intervalMs: 600_000 },
    detectors: { spike: false },
    retention: { decisionDays: 7, rollupDays: 90, intervalMs: 3_600_000 },
    report: (finding) => findings.push(finding),
  });
  const ring = new CaptureRing(100);
  const guard = parapet({ rules: [], observers: [{ onDecision: (d, r) => void ring.push(d, r) }] });
  const scanner = "198.51.100.7";
  const decisions: Decision[] = [];
  for (let i = 0; i < 30; i++) decisions.push(await guard.protect(request(scanner, `/missing-${i}`)));
  pipeline.ingest(ring.drainColumns());

  // Not written yet: every status joins its row, and the scan detector still learns the IP and path of each 404.
  for (const decision of decisions.slice(0, 29)) assert.equal(pipeline.status(decision.id, 404, decision.timestamp), true);
  assert.ok(
    findings.some((f) => f.kind === "scan" && f.subject === `ip:${scanner}`),
    "late 404s reach the scan detector",
  );
  await pipeline.flush();
  // Written: the last status has no row to join any more.
  const last = decisions[29]!;
  assert.equal(pipeline.status(last.id, 503, last.timestamp), false);
  assert.equal(pipeline.status("never-logged", 200, last.timestamp), false, "an unknown id is queued as an UPDATE too");
  await pipeline.flush();

  const rows = await driver.all<{ id: string; status: number | null }>("SELECT id, status FROM parapet_decisions");
  const statusOf = new Map(rows.map((row) => [row.id, row.status]));
  assert.equal(rows.length, 30);
  for (const decision of decisions.slice(0, 29)) assert.equal(statusOf.get(decision.id), 404);
  assert.equal(statusOf.get(last.id), 503);
  const updates = driver.statements.filter((s) => s.sql.startsWith("UPDATE parapet_decisions"));
  assert.deepEqual(
    updates.map((s) => s.params),
    [
      [503, last.id],
      [200, "never-logged"],
    ],
  );
  const [rollup] = await driver.all<{ s4: number; s5: number }>("SELECT SUM(status_4xx) AS s4, SUM(status_5xx) AS s5 FROM parapet_rollups");
  assert.deepEqual([Number(rollup?.s4), Number(rollup?.s5)], [29, 1]);
  await pipeline.close();
});

test("log worker: statuses that rode along or arrived late are not counted as dropped when the log closes", async () => {
  const logger = recordingLogger();
  const observed = observe({ store: sqliteLog({ path: join(dir.path, `late-${counter++}.db`) }), logger, handleSignals: false });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  await observed.ready;
  for (let i = 0; i < 40; i++) observed.recordStatus(await guard.protect(request("192.0.2.60", `/ride/${i}`)), 200);
  for (let i = 0; i < 40; i++) {
    const decision = await guard.protect(request("192.0.2.61", `/late/${i}`));
    observed.tick(); // hands the decision to the worker first: its status travels alone
    observed.recordStatus(decision, 404);
  }
  await observed.flush();
  await observed.close();
  const stats = observed.stats().queue;
  assert.equal(stats.dropped, 0, JSON.stringify(stats));
  assert.ok(stats.written >= 80, JSON.stringify(stats));
  assert.deepEqual(
    logger.lines.filter((line) => line.startsWith("error")),
    [],
  );
});
