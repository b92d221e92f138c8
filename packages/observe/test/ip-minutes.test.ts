import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { observe, type SqlDriver, sqliteLog } from "../src/index.js";
import type { SqlStatement } from "../src/sql/driver.js";
import { manualClock, parapet, recordingLogger, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());
let counter = 0;

/** A SQLite log that fails its first `failures` transactions and counts the IP-minute pairs it was asked to store. */
function flakyLog(failures: number): SqlDriver & { pairsWritten: () => number } {
  const inner = sqliteLog({ path: join(dir.path, `ip-minutes-${counter++}.db`) });
  let left = failures;
  let pairs = 0;
  return {
    dialect: inner.dialect,
    description: "flaky test log",
    async transaction(statements: readonly SqlStatement[]) {
      if (left > 0 && statements.some((s) => s.sql.startsWith("INSERT INTO parapet_decisions"))) {
        left--;
        throw new Error("disk full (test)");
      }
      await inner.transaction(statements);
      for (const s of statements) if (s.sql.startsWith("INSERT INTO parapet_ip_minutes")) pairs += s.params.length / 2;
    },
    all: (sql, params) => inner.all(sql, params),
    exec: (script) => inner.exec(script),
    close: () => inner.close(),
    pairsWritten: () => pairs,
  };
}

test("a batch that fails and is retried still lists its IP minutes, so the IP filter finds its rows", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 4, 8, 0, 0));
  const observed = observe({ store: flakyLog(2), clock, logger: recordingLogger(), handleSignals: false });
  const guard = parapet({ rules: [], observers: [observed.observer], clock });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await guard.protect(request("203.0.113.9"))).id);
  await observed.flush();
  assert.equal(observed.stats().queue.written, 4, "written on the third attempt");
  const page = await observed.query!.decisions({ from: clock.now() - 60_000, to: clock.now() + 60_000, ip: "203.0.113.9" });
  assert.deepEqual(page.decisions.map((d) => d.id).sort(), [...ids].sort());
  await observed.close();
});

test("a busy IP is written once a minute, however many batches carry it", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 4, 9, 0, 0));
  const store = flakyLog(0);
  const observed = observe({ store, clock, logger: recordingLogger(), handleSignals: false, queue: { batchSize: 10 } });
  const guard = parapet({ rules: [], observers: [observed.observer], clock });
  // 3 minutes × 50 requests from two IPs, flushed in many small batches.
  for (let minute = 0; minute < 3; minute++) {
    for (let i = 0; i < 50; i++) {
      clock.set(Date.UTC(2025, 0, 4, 9, minute, 0) + i * 100);
      await guard.protect(request(i % 2 === 0 ? "192.0.2.1" : "192.0.2.2"));
      if (i % 10 === 9) await observed.flush();
    }
  }
  await observed.flush();
  assert.equal(observed.stats().queue.written, 150);
  assert.equal(store.pairsWritten(), 6, "two IPs in three minutes");
  const [count] = await store.all<{ n: number }>("SELECT COUNT(*) AS n FROM parapet_ip_minutes");
  assert.equal(Number(count?.n), 6);
  await observed.close();
});
