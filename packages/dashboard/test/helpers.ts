import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Clock,
  type DecisionObserver,
  fixedWindow,
  type Logger,
  type Parapet,
  type PlainRequest,
  parapet,
  type Rule,
} from "@parapet/core";
import { migrate, type Observed, observe, type SqlDriver } from "@parapet/observe";

export const quietLogger: Logger & { lines: string[] } = {
  lines: [],
  debug() {},
  warn(message) {
    quietLogger.lines.push(`warn ${message}`);
  },
  error(message) {
    quietLogger.lines.push(`error ${message}`);
  },
};

/** Captured stdout and stderr for the dashboard CLI's `run(argv, io)`; `stop` ends a server it started. */
export function cliIo(stop: Promise<unknown> = Promise.resolve()) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {}, stopped: stop },
  };
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "parapet-dashboard-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Labels bots from a test header, the way the bot detector reports a class. */
const labelBot: Rule = {
  type: "DETECT_BOT",
  mode: "LIVE",
  cost: 2,
  evaluate: ({ request }) => ({
    conclusion: "ALLOW",
    reason: { type: "BOT", message: "classified", botClass: request.headers["x-test-bot"] ?? "human" } as { type: string; message: string },
  }),
};

/** A shield stand-in: denies requests carrying a test attack header, with that class. */
const shieldFromHeader: Rule = {
  type: "SHIELD",
  mode: "LIVE",
  cost: 3,
  evaluate: ({ request }) => {
    const attack = request.headers["x-test-attack"];
    return attack
      ? { conclusion: "DENY", reason: { type: "SHIELD", message: `blocked ${attack}`, attack } as { type: string; message: string } }
      : { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "ok" } };
  },
};

export const XSS_USER_AGENT = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
export const SEED_START = Date.UTC(2025, 0, 1, 12, 0, 0);

export function request(ip: string, path: string, headers: Record<string, string> = {}): PlainRequest {
  return {
    method: "GET",
    url: path,
    ip,
    headers: { host: "api.example.test", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", ...headers },
  };
}

export interface Seeded {
  readonly observed: Observed;
  readonly guard: Parapet;
  readonly clock: ReturnType<typeof manualClock>;
  readonly xssDecisionId: string;
  /** Counts by construction, to check the UI and API against. */
  readonly counts: { total: number; denied: number; attacks: number; fromBusiest: number };
}

/**
 * Fills a real decision log through the real pipeline (parapet → observe →
 * SQL): 30 minutes of traffic from a few clients, rate-limit denials for one
 * busy IP, shield denials with classes, bots, one request whose user agent is
 * an XSS payload, and two alert rows (a spike with evidence, a scan).
 */
export async function seedLog(driver: SqlDriver, start = SEED_START, observers: readonly DecisionObserver[] = []): Promise<Seeded> {
  const clock = manualClock(start);
  const observed = observe({
    store: driver,
    clock,
    logger: quietLogger,
    handleSignals: false,
    detectors: { spike: false, auth: false, scan: false },
  });
  await observed.ready;
  const guard = parapet({
    rules: [labelBot, shieldFromHeader, fixedWindow({ name: "api", max: 20, window: "1m" })],
    observers: [observed.observer, ...observers],
    clock,
    logger: quietLogger,
  });
  const counts = { total: 0, denied: 0, attacks: 0, fromBusiest: 0 };
  async function send(req: PlainRequest, extra: Record<string, unknown> = {}) {
    const decision = await guard.protect(req, extra);
    counts.total++;
    if (decision.isDenied()) counts.denied++;
    observed.recordStatus(decision, decision.isDenied() ? decision.status : 200);
    return decision;
  }
  for (let minute = 0; minute < 30; minute++) {
    for (let i = 0; i < 5; i++) await send(request("203.0.113.10", `/api/items/${i}`, { "x-api-key": "key-alpha" }), { userId: "alice" });
    await send(request("198.51.100.7", "/api/search", { "x-test-bot": "scraper", "user-agent": "python-requests/2.31" }));
    if (minute % 3 === 0) {
      await send(request("192.0.2.66", "/api/items", { "x-test-attack": minute % 2 === 0 ? "sqli" : "xss" }));
      counts.attacks++;
    }
    // The busy client: 25 a minute against a limit of 20.
    if (minute >= 20) {
      for (let i = 0; i < 25; i++) {
        await send(request("198.51.100.99", "/api/login", { "x-test-bot": "automation" }));
        counts.fromBusiest++;
      }
    }
    clock.advance(60_000);
  }
  const xss = await send(request("192.0.2.13", "/api/profile", { "user-agent": XSS_USER_AGENT }));
  await observed.flush();
  await driver.transaction([
    {
      sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [
        "alert-spike-1",
        start + 20 * 60_000,
        "spike",
        "warning",
        "traffic",
        "Traffic rose 5.2x in one minute, driven by one client.",
        JSON.stringify({ verdict: "attack", ratio: 5.2, topIp: "198.51.100.99", share: 0.83 }),
      ],
    },
    {
      sql: "INSERT INTO parapet_alerts (id, ts, kind, severity, subject, summary, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
      params: [
        "alert-scan-1",
        start + 25 * 60_000,
        "scan",
        "critical",
        "ip:192.0.2.66",
        "192.0.2.66 probed 40 paths.",
        JSON.stringify({ ip: "192.0.2.66", notFound: 40 }),
      ],
    },
  ]);
  return { observed, guard, clock, xssDecisionId: xss.id, counts };
}

export async function freshMigrated(driver: SqlDriver): Promise<SqlDriver> {
  await migrate(driver);
  return driver;
}
