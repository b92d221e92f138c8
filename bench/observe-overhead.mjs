#!/usr/bin/env node
// What the decision log costs protect(): throughput with @parapet/observe off,
// on with detectors only (store: false), and on with the real SQLite log (WAL
// file in a temp dir), in one process. Rounds alternate between the clients so
// machine noise hits all of them alike; after a warm-up, the median of each is
// reported, and the ratio on/off (goal: >= 0.90). The rule set is the one of
// bench/protect.mjs (one fixedWindow on the memory store); BENCH_RULES=shield
// adds the shield, a typical production stack.
// Bounded: CALLS protect() calls per client per round, ROUNDS rounds, then it exits.
// Usage: npm run build && node bench/observe-overhead.mjs   (OVERHEAD_ROUNDS=7, OVERHEAD_CALLS=30000)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import { observe, sqliteLog } from "@parapet/observe";

const CALLS = Number(process.env.OVERHEAD_CALLS ?? 30_000);
const ROUNDS = Number(process.env.OVERHEAD_ROUNDS ?? 7);
const KEYS = 10_000;

async function rules() {
  const list = [fixedWindow({ max: 1_000_000_000, window: "1h" })];
  if (process.env.BENCH_RULES === "shield") {
    const { shield } = await import("@parapet/shield");
    list.push(shield({ mode: "LIVE" }));
  }
  return list;
}

const dir = mkdtempSync(join(tmpdir(), "parapet-observe-bench-"));
const withLog = observe({ store: sqliteLog({ path: join(dir, "bench.db") }), logger: silentLogger, handleSignals: false });
const detectorsOnly = observe({ store: false, logger: silentLogger, handleSignals: false });
await withLog.ready;
const clients = [
  { name: "observe off", guard: parapet({ rules: await rules(), logger: silentLogger }) },
  {
    name: "observe on, detectors only",
    guard: parapet({ rules: await rules(), logger: silentLogger, observers: [detectorsOnly.observer] }),
    observed: detectorsOnly,
  },
  {
    name: "observe on, SQLite log",
    guard: parapet({ rules: await rules(), logger: silentLogger, observers: [withLog.observer] }),
    observed: withLog,
  },
];
const requests = Array.from({ length: KEYS }, (_, i) => ({
  method: "GET",
  url: `/items/${i % 100}?page=2`,
  ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
  headers: { host: "bench.test", "user-agent": "bench", accept: "*/*" },
}));

async function round({ guard, observed }) {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const decision = await guard.protect(requests[i % KEYS]);
    observed?.recordStatus(decision, 200);
    // Yield like a server does between requests, so the log's timers get their turn (and their cost is counted).
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  // The work the log deferred belongs to this round: finish it before stopping the clock.
  await observed?.flush();
  return CALLS / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const client of clients) await round(client);
const samples = new Map(clients.map((c) => [c, []]));
for (let r = 0; r < ROUNDS; r++) for (const client of clients) samples.get(client).push(await round(client));

const off = median(samples.get(clients[0]));
console.log(
  `protect() throughput, ${process.env.BENCH_RULES === "shield" ? "fixedWindow + shield" : "fixedWindow"}, median of ${ROUNDS} rounds of ${CALLS.toLocaleString()} calls`,
);
console.table(
  clients.map((c) => {
    const value = median(samples.get(c));
    return { client: c.name, "calls/s": Math.round(value), "ratio to off": (value / off).toFixed(3) };
  }),
);
const { queue } = withLog.stats();
console.log(`SQLite log: ${queue.written.toLocaleString()} rows written, ${queue.dropped} dropped; goal ratio >= 0.90`);
await withLog.close();
await detectorsOnly.close();
rmSync(dir, { recursive: true, force: true });
