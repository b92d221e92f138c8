#!/usr/bin/env node
// A bounded soak of the demo as `npm start` runs it (Express API + Parapet + the SQLite decision log + dashboard):
// mixed traffic on 127.0.0.1 for SOAK_SECONDS, the server's resident memory sampled every 10 s, then SIGTERM and a
// count of the rows it logged. What it is for: memory that grows with traffic (a queue that keeps what it wrote, a
// map without a bound) shows as MB per 100,000 requests here long before it shows in production; a log that loses
// decisions at shutdown shows as fewer rows than requests.
// Traffic: hello, attacks in a query string, logins with a wrong password, 404s, from 16 clients with a browser's
// headers. All of it comes from 127.0.0.1, so the rate limits and the scan detector soon deny nearly everything:
// every request is still one decision to log, which is what this measures.
// Before the fix of 2026-11-24 the same soak grew 65 MB per 100,000 requests (written log batches were kept).
// Usage: npm run bench:soak   (SOAK_SECONDS=60, SOAK_CLIENTS=16; Linux, for /proc)
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sqliteLog } from "@parapet/observe";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 16);
const SAMPLE_MS = 10_000;
const server = fileURLToPath(new URL("../examples/secure-api/dist/src/server.js", import.meta.url));
if (!existsSync(server)) {
  console.error("bench/soak.mjs: the demo is not built; run `npm run build` first");
  process.exit(1);
}
if (!existsSync("/proc/self/status")) {
  console.error("bench/soak.mjs: needs Linux (/proc) to read the server's memory");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "parapet-soak-"));
const dbPath = join(dir, "decisions.db");
const child = spawn(process.execPath, [server], {
  cwd: dir,
  env: { ...process.env, PORT: "0", DASHBOARD_PORT: "0", PARAPET_DB: dbPath, PARAPET_DASHBOARD_TOKEN: "soak-token-0123456789" },
  stdio: ["ignore", "pipe", "inherit"],
});
let output = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (text) => {
  output += text;
});
const base = await listeningUrl();

const BROWSER = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  accept: "text/html,application/json;q=0.9,*/*;q=0.8",
  "accept-language": "en-US,en;q=0.9",
  "accept-encoding": "gzip, deflate",
};
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell payload, meant literally
const ATTACKS = ["1' OR '1'='1", "<script>alert(1)</script>", "../../etc/passwd", ";cat /etc/passwd", "${jndi:ldap://x/a}"];
let sent = 0;
let failed = 0;
const statuses = {};

/** One request of the mix, chosen by its number. */
async function one(i) {
  const kind = i % 10;
  try {
    const response =
      kind < 4
        ? await fetch(`${base}/api/hello?n=${i}`, { headers: BROWSER })
        : kind < 6
          ? await fetch(`${base}/api/items?q=${encodeURIComponent(ATTACKS[i % ATTACKS.length])}`, { headers: BROWSER })
          : kind < 8
            ? await fetch(`${base}/api/login`, {
                method: "POST",
                headers: { ...BROWSER, "content-type": "application/json" },
                body: JSON.stringify({ email: `user${i % 500}@example.com`, password: "not-the-password" }),
              })
            : await fetch(`${base}/no-such-page/${i}`, { headers: BROWSER });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  } catch {
    failed++;
  }
  sent++;
}

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]) / 1024;
const samples = [];
const started = Date.now();
const sampler = setInterval(() => {
  samples.push({ s: Math.round((Date.now() - started) / 1000), requests: sent, "RSS MB": Math.round(rssMb()) });
}, SAMPLE_MS);
let next = 0;
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (Date.now() - started < SECONDS * 1000) await one(next++);
  }),
);
clearInterval(sampler);
const elapsed = (Date.now() - started) / 1000;

// SIGTERM: the demo flushes its decision log before it exits.
child.kill("SIGTERM");
const [code] = await once(child, "exit");
// Read as the dashboard does: the engine this Node runs safely (sqlite.ts), never creating or changing the file.
const log = sqliteLog({ path: dbPath, readOnly: true });
const [{ n: rows }] = await log.all("SELECT COUNT(*) AS n FROM parapet_decisions");
const dbMb = statSync(dbPath).size / 1e6;
await log.close();
rmSync(dir, { recursive: true, force: true });

console.log(`node ${process.version}; demo soaked for ${elapsed.toFixed(0)} s by ${CLIENTS} clients on 127.0.0.1`);
console.table(samples);
// Growth over the second half only: start-up, the JIT, the heap's and SQLite's caches settle in the first half (the
// RSS climbs, then levels); memory kept per request goes on growing at the same slope to the end.
const first = samples[Math.floor((samples.length - 1) / 2)];
const last = samples[samples.length - 1];
const growth =
  first && last && last.requests > first.requests
    ? `${(((last["RSS MB"] - first["RSS MB"]) / (last.requests - first.requests)) * 100_000).toFixed(1)} MB per 100,000 requests`
    : "n/a (soak for 30 s or more)";
console.log(`requests ${sent} (${Math.round(sent / elapsed)}/s), failed ${failed}, statuses ${JSON.stringify(statuses)}`);
console.log(`server RSS ${first?.["RSS MB"]} MB at ${first?.s} s, ${last?.["RSS MB"]} MB at ${last?.s} s: ${growth}`);
console.log(
  `decision log: ${rows} rows for ${sent} requests (a login naming an account adds its per-account decision), ${dbMb.toFixed(0)} MB`,
);
console.log(`server exit code after SIGTERM: ${code}`);

async function listeningUrl() {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match) return match[1];
    if (child.exitCode !== null || Date.now() > deadline) {
      console.error(`bench/soak.mjs: the demo did not start:\n${output}`);
      child.kill();
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
