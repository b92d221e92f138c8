#!/usr/bin/env node
// protect() throughput with the SQLite decision log on vs off (goal: within 10%).
// Bounded: a fixed number of calls per round, best of several alternating rounds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parapet, silentLogger } from "@parapet/core";
import { observe, sqliteLog } from "@parapet/observe";

const CALLS = 20_000;
const ROUNDS = 5;
const dir = mkdtempSync(join(tmpdir(), "parapet-observe-bench-"));
const observed = observe({ store: sqliteLog({ path: join(dir, "bench.db") }), logger: silentLogger, handleSignals: false });
const rule = { type: "NOOP", mode: "LIVE", cost: 1, evaluate: () => ({ conclusion: "ALLOW", reason: { type: "ALLOWED", message: "ok" } }) };
const off = parapet({ rules: [rule], logger: silentLogger });
const on = parapet({ rules: [rule], logger: silentLogger, observers: [observed.observer] });

async function round(client) {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const decision = await client.protect({
      method: "GET",
      url: `/items/${i % 100}`,
      ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
      headers: { host: "x", "user-agent": "bench" },
    });
    if (client === on) observed.recordStatus(decision, 200);
    // Yield like a server does between requests, so the log's writer gets its turn.
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return CALLS / ((performance.now() - started) / 1000);
}

const best = { off: 0, on: 0 };
await round(off);
await round(on);
for (let r = 0; r < ROUNDS; r++) {
  best.off = Math.max(best.off, await round(off));
  best.on = Math.max(best.on, await round(on));
}
await observed.flush();
const { queue } = observed.stats();
console.log(`protect() with the SQLite log off: ${Math.round(best.off).toLocaleString()} calls/s`);
console.log(
  `protect() with the SQLite log on:  ${Math.round(best.on).toLocaleString()} calls/s (${((best.on / best.off - 1) * 100).toFixed(1)}%)`,
);
console.log(`decisions written ${queue.written.toLocaleString()}, dropped ${queue.dropped}`);
await observed.close();
rmSync(dir, { recursive: true, force: true });
