#!/usr/bin/env node
// Parapet's request-path cost. Each scenario prints one table:
//  - "protect() in-process": decisions/s of protect() with one fixedWindow
//    rule on the memory store, plain request objects, 10,000 client IPs;
//  - "node:http hello world": req/s and p99 latency under autocannon for the
//    same server unprotected, with Parapet (through @parapet/node's
//    withParapet, as an app deploys it), and with rate-limiter-flexible's
//    RateLimiterMemory (the natural peer on plain node:http). Each server is a
//    child process; autocannon drives it from here over 127.0.0.1 only.
//    "headers only" sends the two RateLimit headers with no limiter: the floor
//    for any limiter that follows the headers draft. Each server also reports
//    its own CPU time per request over the measured span: on a 2-core machine
//    where autocannon takes one core, that is the steadier measure of cost.
// Goal: Parapet within 10% of unprotected and at least as fast as the peer.
// Add a scenario by appending { name, run } to `scenarios`; run() returns rows.
// Usage: npm run bench   (BENCH_SECONDS=10 per HTTP target and round, BENCH_ROUNDS=3, BENCH_CONNECTIONS=100)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const IN_PROCESS_CALLS = 300_000;
const HTTP_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_PROCESS_KEYS = 10_000;

/** Plain request objects, as an app calling protect({ method, url, headers, ip }) passes them. */
function plainRequests() {
  return Array.from({ length: IN_PROCESS_KEYS }, (_, i) => ({
    method: "GET",
    url: `/items/${i % 100}?page=2`,
    headers: { host: "bench.test", "user-agent": "bench", accept: "*/*" },
    ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
  }));
}

/**
 * IncomingMessage-shaped requests as node:http hands them over: raw headers
 * with their original case, a socket address (IPv4 and IPv4-mapped IPv6).
 */
function nodeShapedRequests() {
  return Array.from({ length: IN_PROCESS_KEYS }, (_, i) => ({
    method: "GET",
    url: `/items/${i % 100}?page=2`,
    rawHeaders: [
      "Host",
      "127.0.0.1:3000",
      "User-Agent",
      "Mozilla/5.0 (X11; Linux x86_64)",
      "Accept",
      "*/*",
      "Accept-Encoding",
      "gzip, deflate",
      "Accept-Language",
      "en-US,en;q=0.9",
      "Connection",
      "keep-alive",
      "Cache-Control",
      "no-cache",
      "X-Request-Id",
      `req-${i}`,
    ],
    headers: {},
    socket: { remoteAddress: i % 2 === 0 ? `10.0.${(i >> 8) & 255}.${i & 255}` : `::ffff:10.1.${(i >> 8) & 255}.${i & 255}` },
    read() {},
    on() {
      return this;
    },
    unshift() {},
  }));
}

async function protectInProcess() {
  const p = parapet({ rules: [fixedWindow({ max: 1_000_000_000, window: "1h" })], logger: silentLogger });
  const rows = [];
  for (const [shape, requests] of [
    ["plain object", plainRequests()],
    ["IncomingMessage-like", nodeShapedRequests()],
  ]) {
    for (let round = 1; round <= 3; round++) {
      let denied = 0;
      const started = performance.now();
      for (let i = 0; i < IN_PROCESS_CALLS; i++) {
        const decision = await p.protect(requests[i % IN_PROCESS_KEYS]);
        if (decision.conclusion !== "ALLOW") denied++;
      }
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        request: shape,
        round,
        calls: IN_PROCESS_CALLS,
        "decisions/s": Math.round(IN_PROCESS_CALLS / seconds),
        "µs/decision": ((seconds * 1e6) / IN_PROCESS_CALLS).toFixed(2),
        notAllowed: denied,
      });
    }
  }
  await p.close();
  return rows;
}

const serverScript = fileURLToPath(new URL("./targets/http-hello.mjs", import.meta.url));

/** Starts one target in a child process; resolves with its URL, a mark() for the measured span, and stop() → its CPU report. */
async function startTarget(name) {
  const child = spawn(process.execPath, [serverScript, name], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    pending += text;
    const parts = pending.split("\n");
    pending = parts.pop();
    lines.push(...parts);
  });
  const started = Date.now();
  while (lines.length === 0) {
    if (child.exitCode !== null) throw new Error(`target ${name} exited with ${child.exitCode} before listening`);
    if (Date.now() - started > 10_000) throw new Error(`target ${name} did not print its URL within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const url = lines[0].trim();
  const mark = () => child.stdin.write("mark\n");
  /** Stops the target; resolves with { cpuMicros, served } since mark(). */
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    if (child.exitCode === null) await once(child, "exit");
    clearTimeout(timer);
    const report = lines.slice(1).find((line) => line.startsWith("{"));
    return report ? JSON.parse(report) : { cpuMicros: Number.NaN, served: 0 };
  };
  return { url, mark, stop };
}

function load(url, seconds) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

/**
 * The machine may be busy with other work: targets take turns, round after
 * round (A B C A B C …), so that drift hits all three alike, and each target
 * reports its median round, which one disturbed round cannot move.
 */
async function httpHelloWorld() {
  const names = ["unprotected", "headers only", "parapet", "rate-limiter-flexible"];
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < HTTP_ROUNDS; round++) {
    for (const name of names) {
      const target = await startTarget(name);
      let report;
      try {
        await load(target.url, 2); // warm-up: JIT and connection setup
        target.mark();
        runs[name].push(await load(target.url, SECONDS));
      } finally {
        report = await target.stop();
      }
      if (report.served > 0) cpu[name].push(report.cpuMicros / report.served);
    }
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const rps = Object.fromEntries(names.map((name) => [name, median(runs[name].map((r) => r.requests.average))]));
  const cpuPerRequest = Object.fromEntries(names.map((name) => [name, median(cpu[name])]));
  return names.map((name) => ({
    target: name,
    "median req/s": Math.round(rps[name]),
    "rounds req/s": runs[name].map((r) => Math.round(r.requests.average)).join(" "),
    "p99 ms": Math.max(...runs[name].map((r) => r.latency.p99)),
    non2xx: runs[name].reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs[name].reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    "parapet/this req/s": name === "parapet" ? "" : (rps.parapet / rps[name]).toFixed(3),
    "server CPU µs/req": cpuPerRequest[name].toFixed(2),
    // What a saturated server core would give, relative: this target's CPU per request over Parapet's.
    "parapet/this by CPU": name === "parapet" ? "" : (cpuPerRequest[name] / cpuPerRequest.parapet).toFixed(3),
  }));
}

const scenarios = [
  { name: "protect() in-process, fixedWindow, memory store, 10,000 keys", run: protectInProcess },
  { name: `node:http hello world, autocannon ${CONNECTIONS} connections, ${HTTP_ROUNDS} x ${SECONDS}s per target`, run: httpHelloWorld },
];

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const scenario of scenarios) {
  console.log(`\n## ${scenario.name}`);
  console.table(await scenario.run());
}
