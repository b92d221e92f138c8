import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createAuthDetector } from "../src/detect/auth.js";
import { createSpikeDetector } from "../src/detect/spike.js";
import type { TrafficEvent } from "../src/detect/traffic.js";
import { HyperLogLog, observe } from "../src/index.js";
import { recordingLogger, trafficEvent } from "./helpers.js";

const event = trafficEvent;

/** 30 minutes of 20 requests per 10 s from 10 established API keys, then `surge` for one minute. */
function replay(surge: (ts: number, i: number) => TrafficEvent): Finding[] {
  const findings: Finding[] = [];
  const detector = createSpikeDetector({}, (finding) => findings.push(finding));
  let ts = 0;
  for (; ts < 30 * 60_000; ts += 500) detector.observe(event(ts, `key-${(ts / 500) % 10}`));
  for (let i = 0; ts < 31 * 60_000; ts += 20, i++) detector.observe(surge(ts, i));
  detector.tick(ts + 20_000);
  return findings;
}

test("spike: an established customer growing is called a customer, not an attack", () => {
  const findings = replay((ts) => event(ts, "key-3"));
  assert.ok(findings.length > 0, "a 25x jump is a spike");
  assert.ok(
    findings.every((f) => f.evidence.verdict === "customer" && f.severity === "info"),
    JSON.stringify(findings[0]),
  );
});

test("spike: a key sent once long before a flood is not an established customer", () => {
  // A flood that plants its API key with one request 20 minutes ahead: as old as the customers, but with no history.
  const findings: Finding[] = [];
  const detector = createSpikeDetector({}, (finding) => findings.push(finding));
  let ts = 0;
  for (; ts < 30 * 60_000; ts += 500) {
    detector.observe(event(ts, `key-${(ts / 500) % 10}`));
    if (ts === 10 * 60_000) detector.observe(event(ts, "k_planted"));
  }
  for (; ts < 31 * 60_000; ts += 20) detector.observe(event(ts, "k_planted"));
  detector.tick(ts + 20_000);
  assert.ok(findings.length > 0, "a 25x jump is a spike");
  assert.ok(
    findings.every((f) => f.evidence.verdict === "attack"),
    JSON.stringify(findings[0]?.evidence),
  );
  assert.ok((findings[0]!.evidence.signals as string[]).includes("one client with no history carries most of the jump"));
});

test("spike: many new unauthenticated bot clients are called an attack, with evidence", () => {
  const findings = replay((ts, i) =>
    event(ts, `198.51.${i % 200}.0/24`, {
      ip: `198.51.${i % 200}.${i % 250}`,
      prefix: `198.51.${i % 200}.0/24`,
      authenticated: false,
      bot: i % 2 === 0,
    }),
  );
  assert.ok(findings.length > 0);
  const first = findings[0]!;
  assert.equal(first.evidence.verdict, "attack");
  assert.equal(first.severity, "critical");
  assert.ok((first.evidence.signals as string[]).includes("bot share rose"));
});

test("auth: one IP trying many accounts is credential stuffing; a few typos are nothing", () => {
  const findings: Finding[] = [];
  const detector = createAuthDetector({}, (finding) => findings.push(finding));
  const fail = (ts: number, ip: string, user: string) =>
    detector.observe({ type: "failure", timestamp: ts, ip, user, request: {} as never });
  fail(0, "192.0.2.5", "alice");
  fail(5_000, "192.0.2.5", "alice");
  fail(9_000, "192.0.2.5", "alice");
  assert.equal(findings.length, 0, "three typos by one person are nothing");
  for (let i = 0; i < 10; i++) fail(20_000 + i * 1000, "203.0.113.9", `user${i}`);
  assert.ok(findings.some((f) => f.kind === "credential_stuffing" && f.subject === "ip:203.0.113.9"));
});

test("auth: spelling one account's name differently (case, blanks, fullwidth) does not start fresh buckets", async () => {
  // A distributed guesser on one account: 30 guesses a minute, each from another IP, the name spelled another way each
  // time. Keyed by the exact text, each spelling had its own bucket and nothing fired in 5 minutes.
  const base = "alice@example.com";
  const spellings = [base, "Alice@Example.com", " ALICE@example.com", "alice@EXAMPLE.COM\t", "ａｌｉｃｅ@example.com", "aLiCe@example.com"];
  const findings: Finding[] = [];
  const detector = createAuthDetector({}, (finding) => findings.push(finding));
  for (let i = 0, ts = 0; ts < 5 * 60_000; i++, ts += 2_000) {
    detector.observe({
      type: "failure",
      timestamp: ts,
      ip: `198.51.100.${i % 250}`,
      user: spellings[i % spellings.length]!,
      request: {} as never,
    });
  }
  const buckets = new Set(findings.filter((f) => f.subject === `user:${base}`).map((f) => f.evidence.bucket));
  assert.deepEqual([...buckets].sort(), ["failuresPerUser", "ipsPerUser"], JSON.stringify(findings.map((f) => f.subject)));
  assert.ok(
    findings.every((f) => f.subject === `user:${base}` || f.subject === "site"),
    "one account, one subject",
  );
  assert.ok(spellings.includes(String(findings[0]?.evidence.user)), "the evidence quotes the name as it was sent");

  // The same through observe(), which bounds the name before the detector sees it (and works the account out first).
  const observed = observe({ store: false, worker: false, handleSignals: false, logger: recordingLogger() });
  try {
    for (let i = 0; i < 12; i++) {
      observed.observer.onAuthEvent?.({
        type: "failure",
        timestamp: i * 1_000,
        ip: `198.51.100.${i}`,
        user: spellings[i % spellings.length]!,
        request: {} as never,
      });
    }
    await observed.flush();
    assert.deepEqual([...new Set(observed.alerts().map((a) => a.subject))], [`user:${base}`]);
  } finally {
    await observed.close();
  }

  // And one person typing their name in another case counts as one user for "many users from one IP".
  const quiet: Finding[] = [];
  const other = createAuthDetector({}, (finding) => quiet.push(finding));
  for (const [i, user] of ["bob", "Bob", "BOB", " bob", "bob ", "Bob"].entries()) {
    other.observe({ type: "failure", timestamp: i * 5_000, ip: "192.0.2.5", user, request: {} as never });
  }
  assert.deepEqual(quiet, []);
});

test("auth: bad thresholds are rejected at construction", () => {
  assert.throws(() => createAuthDetector({ failuresPerIp: { capacity: 0, leakMs: 1000 } }, () => {}), /capacity/);
  assert.throws(() => createAuthDetector({ usersPerIp: { capacity: 5, leakMs: -1 } }, () => {}), /leakMs/);
});

test("hyperloglog estimates distinct counts within 10% (three standard errors at precision 10)", () => {
  const hll = new HyperLogLog();
  for (let i = 0; i < 50_000; i++) hll.add(`client-${i % 20_000}`);
  assert.ok(Math.abs(hll.count() - 20_000) / 20_000 < 0.1, String(hll.count()));
});

test("spike: a flood right after a customer's surge is still an attack (new clients have their own baseline)", () => {
  const findings: Finding[] = [];
  const detector = createSpikeDetector({}, (finding) => findings.push(finding));
  let ts = 0;
  // 30 minutes at 20 requests / 10 s from 10 established keys; then key-3 grows to 200 / 10 s for 10 minutes.
  for (; ts < 30 * 60_000; ts += 500) detector.observe(event(ts, `key-${(ts / 500) % 10}`));
  for (; ts < 40 * 60_000; ts += 50) detector.observe(event(ts, "key-3"));
  for (; ts < 45 * 60_000; ts += 500) detector.observe(event(ts, `key-${(ts / 500) % 10}`));
  const beforeFlood = findings.length;
  assert.ok(findings.some((f) => f.evidence.verdict === "customer"));
  // The flood is below 3x the site baseline the surge left behind, but far above what unknown clients normally send.
  for (let i = 0; ts < 46 * 60_000; ts += 100, i++) {
    detector.observe(event(ts, `198.51.${i % 200}.0/24`, { ip: `198.51.${i % 200}.${i % 250}`, authenticated: false, bot: true }));
  }
  detector.tick(ts + 20_000);
  const flood = findings.slice(beforeFlood);
  assert.ok(flood.length > 0, "the flood is a spike");
  assert.ok(
    flood.every((f) => f.evidence.verdict === "attack"),
    JSON.stringify(flood[0]?.evidence),
  );
});

/**
 * 30 minutes of 20 requests per 10 s from 10 established API keys over `paths` (each answered 200), and one request a
 * minute from the network 203.0.113.0/24 (so it is a client with a history later), then `surge` for one minute, each
 * request answered with the status it names.
 */
function replayWithStatuses(paths: (i: number) => string, surge: (ts: number, i: number) => [TrafficEvent, number]): Finding[] {
  const findings: Finding[] = [];
  const detector = createSpikeDetector({}, (finding) => findings.push(finding));
  const visitor = { ip: "203.0.113.7", prefix: "203.0.113.0/24", authenticated: false };
  let ts = 0;
  for (let i = 0; ts < 30 * 60_000; ts += 500, i++) {
    detector.observe(event(ts, `key-${i % 10}`, { path: paths(i) }));
    detector.observeStatus(200);
    if (ts % 60_000 === 0) {
      detector.observe(event(ts, "203.0.113.0/24", { ...visitor, path: "/" }));
      detector.observeStatus(200);
    }
  }
  for (let i = 0; ts < 31 * 60_000; ts += 20, i++) {
    const [request, status] = surge(ts, i);
    detector.observe(request);
    detector.observeStatus(status);
  }
  detector.tick(ts + 20_000);
  return findings;
}

const SHOP_PATHS = ["/", "/products", "/products/42", "/cart", "/api/cart", "/login", "/search", "/about"];
const scannerRequest = (ts: number, fields: Partial<TrafficEvent>) =>
  event(ts, "203.0.113.0/24", { ip: "203.0.113.7", prefix: "203.0.113.0/24", authenticated: false, ...fields });

test("spike: one known client walking a wordlist of missing paths is an attack (unseen paths, 4xx)", () => {
  const findings = replayWithStatuses(
    (i) => SHOP_PATHS[i % SHOP_PATHS.length] as string,
    (ts, i) => [scannerRequest(ts, { path: `/backup-${i}.zip` }), 404],
  );
  assert.ok(findings.length > 0, "a 25x jump is a spike");
  const first = findings[0]!;
  assert.equal(first.evidence.verdict, "attack", JSON.stringify(first.evidence));
  assert.deepEqual(first.evidence.signals, ["client errors (4xx) rose", "requests for unseen paths rose"]);
  assert.equal(first.evidence.clientErrorShare, 1);
});

test("spike: a client sending attacks at volume is an attack (shield hits)", () => {
  const findings = replayWithStatuses(
    (i) => SHOP_PATHS[i % SHOP_PATHS.length] as string,
    (ts) => [scannerRequest(ts, { path: "/search", attack: true }), 200],
  );
  const first = findings[0]!;
  assert.equal(first.evidence.verdict, "attack", JSON.stringify(first.evidence));
  assert.deepEqual(first.evidence.signals, ["shield hits rose"]);
});

test("spike: unseen paths are a share of requests, so a customer reading ever new ids is still a customer", () => {
  // Every request names another order, before and during the surge: distinct paths grow with volume, not faster.
  const findings = replayWithStatuses(
    (i) => `/api/orders/${i}`,
    (ts, i) => [event(ts, "key-3", { path: `/api/orders/${100_000 + i}` }), 200],
  );
  assert.ok(findings.length > 0);
  assert.ok(
    findings.every((f) => f.evidence.verdict === "customer"),
    JSON.stringify(findings[0]?.evidence),
  );
});
