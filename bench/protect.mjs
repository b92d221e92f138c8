#!/usr/bin/env node
// Parapet's request-path cost. Each scenario prints one table:
//  - "protect() in-process": decisions/s of protect() with one fixedWindow
//    rule on the memory store, plain request objects, 10,000 client IPs;
//  - "node:http hello world": req/s and p99 latency under autocannon for the
//    same server unprotected, with Parapet, and with rate-limiter-flexible's
//    RateLimiterMemory (the natural peer on plain node:http). Each server is a
//    child process; autocannon drives it from here over 127.0.0.1 only.
// Goal: Parapet within 10% of unprotected and at least as fast as the peer.
// Add a scenario by appending { name, run } to `scenarios`; run() returns rows.
// Usage: npm run bench   (BENCH_SECONDS=10 per HTTP target and round, BENCH_CONNECTIONS=100)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const IN_PROCESS_CALLS = 300_000;
const HTTP_ROUNDS = 2;
const IN_PROCESS_KEYS = 10_000;

async function protectInProcess() {
  const p = parapet({ rules: [fixedWindow({ max: 1_000_000_000, window: "1h" })], logger: silentLogger });
  const requests = Array.from({ length: IN_PROCESS_KEYS }, (_, i) => ({
    method: "GET",
    url: `/items/${i % 100}?page=2`,
    headers: { host: "bench.test", "user-agent": "bench", accept: "*/*" },
    ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
  }));
  const rows = [];
  for (let round = 1; round <= 3; round++) {
    let denied = 0;
    const started = performance.now();
    for (let i = 0; i < IN_PROCESS_CALLS; i++) {
      const decision = await p.protect(requests[i % IN_PROCESS_KEYS]);
      if (decision.conclusion !== "ALLOW") denied++;
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      round,
      calls: IN_PROCESS_CALLS,
      "decisions/s": Math.round(IN_PROCESS_CALLS / seconds),
      "µs/decision": ((seconds * 1e6) / IN_PROCESS_CALLS).toFixed(2),
      notAllowed: denied,
    });
  }
  await p.close();
  return rows;
}

const serverScript = fileURLToPath(new URL("./targets/http-hello.mjs", import.meta.url));

/** Starts one target in a child process; resolves with its URL and a stop function. */
async function startTarget(name) {
  const child = spawn(process.execPath, [serverScript, name], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = await Promise.race([
    once(child.stdout, "data"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`target ${name} exited with ${code} before listening`))),
  ]);
  const url = String(line).trim();
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    if (child.exitCode === null) await once(child, "exit");
    clearTimeout(timer);
  };
  return { url, stop };
}

function load(url, seconds) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

/**
 * The machine may be busy with other work: targets take turns, round after
 * round, so that drift hits all three alike. Reports the mean over rounds.
 */
async function httpHelloWorld() {
  const names = ["unprotected", "parapet", "rate-limiter-flexible"];
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < HTTP_ROUNDS; round++) {
    for (const name of names) {
      const target = await startTarget(name);
      try {
        await load(target.url, 2); // warm-up: JIT and connection setup
        runs[name].push(await load(target.url, SECONDS));
      } finally {
        await target.stop();
      }
    }
  }
  const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const rps = Object.fromEntries(names.map((name) => [name, mean(runs[name].map((r) => r.requests.average))]));
  return names.map((name) => ({
    target: name,
    "req/s": Math.round(rps[name]),
    "p99 ms": Math.max(...runs[name].map((r) => r.latency.p99)),
    non2xx: runs[name].reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs[name].reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    "parapet/this": name === "parapet" ? "" : (rps.parapet / rps[name]).toFixed(3),
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
