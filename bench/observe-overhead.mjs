#!/usr/bin/env node
// What the decision log costs protect(), in two views, measured in one run with alternating rounds
// (machine noise hits every client alike) and medians after a warm-up. Goal: ratio on/off >= 0.90.
//  (a) in-process: a tight loop of protect() (+ recordStatus), observe off vs the SQLite log (detectors
//      included, in the log worker). Worst case: the request thread does nothing but protect().
//  (b) HTTP: a node:http server on 127.0.0.1 (protect() + rate-limit headers + 200) under autocannon,
//      observe off vs the SQLite log. The realistic view: the log worker uses the other core while the
//      main thread serves.
// Also reported (Linux): the log worker thread's CPU time per row written, from /proc/self/task/<tid>/schedstat,
// which is what the worker takes from the server and the load generator on a small machine; and CPU time per call:
// the main thread's in (a), the whole process's in (b) (server, load generator, log worker, GC threads). CPU time
// moves less than throughput when other work shares the machine, so it shows what the log costs when ratios are noisy.
// Rules: one fixedWindow on the memory store (as bench/protect.mjs); BENCH_RULES=shield adds the shield.
// Bounded: OVERHEAD_ROUNDS rounds of OVERHEAD_CALLS calls (a) and OVERHEAD_SECONDS s per HTTP round (b), then it exits.
// Usage: npm run build && node bench/observe-overhead.mjs
//   (OVERHEAD_ROUNDS=5, OVERHEAD_CALLS=30000, OVERHEAD_HTTP_ROUNDS=3, OVERHEAD_SECONDS=8, OVERHEAD_CONNECTIONS=64)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import { observe, sqliteLog } from "@parapet/observe";
import autocannon from "autocannon";

const CALLS = Number(process.env.OVERHEAD_CALLS ?? 30_000);
const ROUNDS = Number(process.env.OVERHEAD_ROUNDS ?? 5);
const HTTP_ROUNDS = Number(process.env.OVERHEAD_HTTP_ROUNDS ?? 3);
const SECONDS = Number(process.env.OVERHEAD_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.OVERHEAD_CONNECTIONS ?? 64);
const KEYS = 10_000;

async function rules() {
  const list = [fixedWindow({ max: 1_000_000_000, window: "1h" })];
  if (process.env.BENCH_RULES === "shield") {
    const { shield } = await import("@parapet/shield");
    list.push(shield({ mode: "LIVE" }));
  }
  return list;
}

// The log worker's OS thread is the one observe() starts: the task that appears while it runs.
const TASKS = "/proc/self/task";
const tasks = () => new Set(existsSync(TASKS) ? readdirSync(TASKS) : []);
/** Nanoseconds the thread has run (schedstat's first field), or NaN where /proc has no such file. */
function threadCpuNs(tid) {
  try {
    return Number(readFileSync(`${TASKS}/${tid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

const dir = mkdtempSync(join(tmpdir(), "parapet-observe-bench-"));
const tasksBefore = tasks();
const withLog = observe({ store: sqliteLog({ path: join(dir, "bench.db") }), logger: silentLogger, handleSignals: false });
const logWorkerTid = [...tasks()].find((tid) => !tasksBefore.has(tid));
// The same log with the pipeline on the request thread (observe({ worker: false })): what the log worker saves the request thread.
const inThread = observe({
  store: sqliteLog({ path: join(dir, "in-thread.db") }),
  logger: silentLogger,
  handleSignals: false,
  worker: false,
});
await withLog.ready;
await inThread.ready;
const clients = [
  { name: "observe off", guard: parapet({ rules: await rules(), logger: silentLogger }) },
  {
    name: "SQLite log, log worker",
    guard: parapet({ rules: await rules(), logger: silentLogger, observers: [withLog.observer] }),
    observed: withLog,
  },
  {
    name: "SQLite log, in-thread",
    guard: parapet({ rules: await rules(), logger: silentLogger, observers: [inThread.observer] }),
    observed: inThread,
  },
];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const MAIN_TID = String(process.pid);
/** Microseconds of CPU the whole process (every thread) has used. */
const processCpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
/** Runs `work`, then flushes; the log worker's CPU µs per row written meanwhile (NaN without a worker). */
async function workerCpuPerRow(observed, work) {
  const cpu = observed === withLog ? threadCpuNs(logWorkerTid) : Number.NaN;
  const written = observed?.stats().queue.written ?? 0;
  const result = await work();
  await observed?.flush();
  const rows = (observed?.stats().queue.written ?? 0) - written;
  return { result, workerUs: (threadCpuNs(logWorkerTid) - cpu) / 1000 / rows };
}
console.log(
  `load before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} on ${cpus().length} cores`,
);

// ---------------------------------------------------------------- (a) in-process loop
const requests = Array.from({ length: KEYS }, (_, i) => ({
  method: "GET",
  url: `/items/${i % 100}?page=2`,
  ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
  headers: { host: "bench.test", "user-agent": "bench", accept: "*/*" },
}));

async function loopRound({ guard, observed }) {
  const mainCpu = threadCpuNs(MAIN_TID);
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const decision = await guard.protect(requests[i % KEYS]);
    observed?.recordStatus(decision, 200);
    // Yield like a server does between requests, so the log's timers get their turn (and their cost is counted).
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = performance.now() - started;
  loopMainUs.get(guard)?.push((threadCpuNs(MAIN_TID) - mainCpu) / 1000 / CALLS);
  // Not counted: the worker's backlog is written on the other thread while the next round runs; but it
  // must be written before the next client's round (workerCpuPerRow flushes), so both start from the same machine state.
  return CALLS / (elapsed / 1000);
}

const loopMainUs = new Map();
for (const client of clients) await workerCpuPerRow(client.observed, () => loopRound(client));
for (const client of clients) loopMainUs.set(client.guard, []);
const loopSamples = new Map(clients.map((c) => [c, []]));
const loopWorkerUs = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const client of clients) {
    const { result, workerUs } = await workerCpuPerRow(client.observed, () => loopRound(client));
    loopSamples.get(client).push(result);
    if (client.observed === withLog) loopWorkerUs.push(workerUs);
  }
}

// ---------------------------------------------------------------- (b) HTTP under autocannon
async function serve({ guard, observed }) {
  const server = createServer(async (req, res) => {
    const decision = await guard.protect({ method: req.method, url: req.url, ip: req.socket.remoteAddress, headers: req.headers });
    res.setHeader("content-type", "text/plain");
    for (const [name, value] of Object.entries(decision.headers ?? {})) res.setHeader(name, value);
    const status = decision.isDenied() ? 429 : 200;
    res.statusCode = status;
    res.end(status === 200 ? "ok" : "slow down");
    observed?.recordStatus(decision, status);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function httpRound(client, seconds) {
  const server = await serve(client);
  const { port } = server.address();
  const cpu = processCpuUs();
  const mainCpu = threadCpuNs(MAIN_TID);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/items/1?page=2`,
      connections: CONNECTIONS,
      duration: seconds,
      // The load generator runs in its own thread, not on the event loop of the server it measures.
      workers: 1,
      // Each connection cycles through these paths (plain data: the requests cross into autocannon's worker).
      requests: Array.from({ length: 20 }, (_, i) => ({ method: "GET", path: `/items/${i}?page=2` })),
    });
    const requests = result.requests.total;
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      processUs: (processCpuUs() - cpu) / requests,
      mainUs: (threadCpuNs(MAIN_TID) - mainCpu) / 1000 / requests,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

for (const client of clients) await workerCpuPerRow(client.observed, () => httpRound(client, 2));
const httpSamples = new Map(clients.map((c) => [c, []]));
const httpWorkerUs = [];
for (let r = 0; r < HTTP_ROUNDS; r++) {
  for (const client of clients) {
    const { result, workerUs } = await workerCpuPerRow(client.observed, () => httpRound(client, SECONDS));
    httpSamples.get(client).push(result);
    if (client.observed === withLog) httpWorkerUs.push(workerUs);
  }
}

// ---------------------------------------------------------------- report
const rules_ = process.env.BENCH_RULES === "shield" ? "fixedWindow + shield" : "fixedWindow";
const loopOff = median(loopSamples.get(clients[0]));
console.log(`\n(a) in-process protect() loop, ${rules_}, median of ${ROUNDS} rounds of ${CALLS.toLocaleString()} calls`);
console.table(
  clients.map((c) => {
    const value = median(loopSamples.get(c));
    return {
      client: c.name,
      "calls/s": Math.round(value),
      "ratio to off": (value / loopOff).toFixed(3),
      "main CPU µs/call": median(loopMainUs.get(c.guard)).toFixed(2),
    };
  }),
);
const httpOff = median(httpSamples.get(clients[0]).map((s) => s.rps));
console.log(`(b) node:http + protect() under autocannon (${CONNECTIONS} connections, ${SECONDS} s), median of ${HTTP_ROUNDS} rounds`);
console.table(
  clients.map((c) => {
    const samples = httpSamples.get(c);
    const rps = median(samples.map((s) => s.rps));
    return {
      client: c.name,
      "req/s": Math.round(rps),
      "p99 ms": median(samples.map((s) => s.p99)),
      errors: samples.reduce((sum, s) => sum + s.errors, 0),
      "ratio to off": (rps / httpOff).toFixed(3),
      "process CPU µs/req": median(samples.map((s) => s.processUs)).toFixed(2),
      "main CPU µs/req": median(samples.map((s) => s.mainUs)).toFixed(2),
    };
  }),
);
const workerUs = (samples) => `${median(samples).toFixed(2)} µs/row (median; rounds ${samples.map((v) => v.toFixed(2)).join(", ")})`;
console.log(`log worker thread CPU per row written: loop ${workerUs(loopWorkerUs)}; HTTP ${workerUs(httpWorkerUs)}`);
for (const { name, observed } of clients.slice(1)) {
  const { queue } = observed.stats();
  console.log(`${name}: ${queue.written.toLocaleString()} rows written, ${queue.dropped} dropped`);
}
console.log("goal: ratio >= 0.90 for the log worker");
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
await withLog.close();
await inThread.close();
rmSync(dir, { recursive: true, force: true });
