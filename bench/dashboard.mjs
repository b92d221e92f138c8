// Dashboard API latency over a large decision log (SQLite).
// Usage: node bench/dashboard.mjs [rows=1000000]   (after `npm run build`)
// Fills a temp SQLite log with synthetic decisions spread over 24 hours (and their
// minute rollups), starts the dashboard on 127.0.0.1, and times each endpoint the UI calls.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDashboard } from "@parapet/dashboard";
import { migrate, rollUpClosedHours, sqliteLog } from "@parapet/observe";

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "parapet-bench-dashboard-"));
const log = sqliteLog({ path: join(dir, "decisions.db") });
const DAY = 86_400_000;
const end = Math.floor(Date.now() / 60_000) * 60_000;
const start = end - DAY;
const silent = { debug() {}, warn() {}, error() {} };

try {
  await migrate(log);
  const t0 = performance.now();
  const results = JSON.stringify([
    {
      ruleId: "RATE_LIMIT:api",
      ruleType: "RATE_LIMIT",
      mode: "LIVE",
      conclusion: "ALLOW",
      reason: { type: "ALLOWED", message: "ok" },
      durationMs: 0.01,
    },
  ]);
  const rollups = new Map();
  const ruleDenials = new Map();
  const BATCH = 5_000;
  for (let offset = 0; offset < rows; offset += BATCH) {
    const statements = [];
    const count = Math.min(BATCH, rows - offset);
    const values = [];
    for (let i = 0; i < count; i++) {
      const n = offset + i;
      const ts = start + Math.floor((n / rows) * DAY);
      const denied = n % 9 === 0;
      const rule = denied ? (n % 2 === 0 ? "RATE_LIMIT:api" : "SHIELD") : null;
      values.push([
        `d${n.toString(36).padStart(8, "0")}`,
        ts,
        denied ? "DENY" : "ALLOW",
        denied ? 1 : 0,
        denied ? rule.split(":")[0] : "ALLOWED",
        rule,
        denied ? 429 : 200,
        `198.51.${(n * 7) % 256}.${n % 200}`,
        "GET",
        `/api/items/${n % 500}`,
        "Mozilla/5.0",
        n % 3 === 0 ? `k_${(n % 40).toString(16).padStart(16, "0")}` : null,
        null,
        n % 5 === 0 ? "automation" : "human",
        rule === "SHIELD" ? "sqli" : null,
        0.05,
        results,
      ]);
      const minute = Math.floor(ts / 60_000) * 60_000;
      const r = rollups.get(minute) ?? { total: 0, allowed: 0, denied: 0 };
      r.total++;
      if (denied) r.denied++;
      else r.allowed++;
      rollups.set(minute, r);
      // As the log writer does: denials per minute and rule, in the same transaction as the rows.
      if (denied) ruleDenials.set(`${minute}\t${rule}`, (ruleDenials.get(`${minute}\t${rule}`) ?? 0) + 1);
    }
    for (let i = 0; i < values.length; i += 50) {
      const chunk = values.slice(i, i + 50);
      statements.push({
        sql: `INSERT INTO parapet_decisions (id, ts, conclusion, denied, reason_type, rule_id, status, ip, method, path, user_agent, api_key, user_id, bot_class, attack_class, duration_ms, results) VALUES ${chunk.map(() => `(${new Array(17).fill("?").join(", ")})`).join(", ")}`,
        params: chunk.flat(),
      });
    }
    await log.transaction(statements);
  }
  await log.transaction(
    [...rollups].map(([minute, r]) => ({
      sql: "INSERT INTO parapet_rollups (minute, total, allowed, denied, errored, bots, attacks, status_4xx, status_5xx) VALUES (?, ?, ?, ?, 0, 0, 0, ?, 0)",
      params: [minute, r.total, r.allowed, r.denied, r.denied],
    })),
  );
  await log.transaction(
    [...ruleDenials].map(([key, denied]) => {
      const [minute, rule] = key.split("\t");
      return { sql: "INSERT INTO parapet_rule_denials (minute, rule_id, denied) VALUES (?, ?, ?)", params: [Number(minute), rule, denied] };
    }),
  );
  // As the log writer does: the minutes each IP has decisions in, which decisions({ ip }) reads (migration 3).
  await log.exec("INSERT INTO parapet_ip_minutes (ip, minute) SELECT ip, (ts / 60000) * 60000 FROM parapet_decisions GROUP BY 1, 2");
  console.log(`seeded ${rows.toLocaleString()} decisions over 24 h in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // What the log worker does once per closed hour (here: the day's hours at once, MAX 24 per run).
  const t1 = performance.now();
  const rolled = await rollUpClosedHours(log, end);
  console.log(
    `hourly top-list rollup: ${rolled} hours in ${(performance.now() - t1).toFixed(0)} ms (${((performance.now() - t1) / rolled).toFixed(0)} ms per hour of ${Math.round(rows / 24).toLocaleString()} rows)`,
  );

  const dashboard = await startDashboard({ log, port: 0, logger: silent });
  const headers = { authorization: `Bearer ${dashboard.token}` };
  async function time(label, path, repeat = 5) {
    const samples = [];
    let body;
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      const response = await fetch(new URL(path, dashboard.url), { headers });
      body = await response.json();
      if (!response.ok) throw new Error(`${path}: ${response.status} ${body.error}`);
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(44)} median ${samples[Math.floor(samples.length / 2)].toFixed(1).padStart(8)} ms   max ${samples.at(-1).toFixed(1).padStart(8)} ms`,
    );
    return body;
  }
  const hour = `from=${end - 3_600_000}&to=${end}`;
  const day = `from=${start}&to=${end}`;
  await time("overview + denials by rule, last hour", `/api/overview?${hour}`);
  await time("overview + denials by rule, 24 h", `/api/overview?${day}`);
  await time("top IPs, last hour", `/api/top?${hour}&by=ip`);
  await time("top IPs, 24 h (hourly rollup + raw edges)", `/api/top?${day}&by=ip`, 3);
  await time("top paths, 24 h", `/api/top?${day}&by=path`, 3);
  let page = await time("decisions, first page of 50 (24 h)", `/api/decisions?${day}`);
  for (let i = 0; i < 100; i++)
    page = await (await fetch(new URL(`/api/decisions?${day}&cursor=${encodeURIComponent(page.next)}`, dashboard.url), { headers })).json();
  await time("decisions, page 101 by cursor", `/api/decisions?${day}&cursor=${encodeURIComponent(page.next)}`);
  await time("decisions filtered by ip (its minutes)", `/api/decisions?${day}&ip=198.51.7.1`);
  await time("decisions filtered by rule (24 h)", `/api/decisions?${day}&ruleId=SHIELD`);
  await time("decisions filtered by rare path (24 h)", `/api/decisions?${day}&path=/nowhere`, 3);
  await dashboard.close();
} finally {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
}
