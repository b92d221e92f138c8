import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createScanDetector } from "../src/detect/scan.js";
import { observe } from "../src/index.js";
import { denyAttackPaths, manualClock, parapet, recordingLogger, request } from "./helpers.js";

const SQLMAP = "sqlmap/1.8.2#stable (https://sqlmap.org)";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const ip = (n: number) => `198.51.${100 + (n >> 8)}.${n & 255}`;

/** A seeded generator: the same "random" traffic on every run. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
}

function recordingDetector() {
  const findings: { finding: Finding; ts: number }[] = [];
  const scan = createScanDetector({}, (finding, ts) => findings.push({ finding, ts }));
  const site = () => findings.filter((f) => f.finding.subject === "site");
  return { scan, findings, site };
}

/**
 * 100 proxies, each sending 1 to 3 flagged requests (sqli, some xss), one request a second from `start`; most say
 * sqlmap in their User-Agent. Returns when the last request was sent.
 */
function campaign(scan: ReturnType<typeof createScanDetector>, start: number, firstClient = 0): number {
  const random = seeded(11);
  let t = start;
  for (let n = firstClient; n < firstClient + 100; n++) {
    const userAgent = random() < 0.8 ? SQLMAP : CHROME;
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) {
      const attackClass = random() < 0.7 ? "sqli" : "xss";
      scan.observeShieldHit(ip(n), attackClass, t, { path: random() < 0.5 ? "/products" : "/search", userAgent });
      t += 1_000;
    }
  }
  return t;
}

test("attack campaign: 100 proxies sending 1 to 3 flagged requests each, one a second, is a site-wide finding within a minute", () => {
  const { scan, findings, site } = recordingDetector();
  const start = Date.UTC(2025, 0, 1);
  campaign(scan, start);
  const [first] = site();
  assert.ok(first, JSON.stringify(findings));
  assert.ok(first.ts - start < 60_000, `found after ${first.ts - start} ms`);
  assert.equal(first.finding.kind, "attack_campaign");
  assert.equal(first.finding.evidence.bucket, "shieldHitsOverall");
  assert.ok((first.finding.evidence.clients as number) >= 6, JSON.stringify(first.finding.evidence));
  assert.ok(Object.keys(first.finding.evidence.classes as object).includes("sqli"));
  // The tool's name, shared by most of the addresses: evidence for whoever reads the alert.
  const [agent] = first.finding.evidence.topUserAgents as { userAgent: string; clients: number }[];
  assert.equal(agent?.userAgent, SQLMAP);
  assert.ok((agent?.clients ?? 0) > 1);
  // No address sent enough to be an attacker on its own: nothing to block.
  assert.deepEqual(
    findings.filter((f) => f.finding.subject !== "site"),
    [],
  );
});

test("attack campaign: single injection probes from ever new addresses for 3 hours are no finding; a campaign after them is", () => {
  const { scan, findings, site } = recordingDetector();
  const random = seeded(5);
  let t = 0;
  let client = 1_000;
  // Far above the internet's few an hour: one new address every 6 to 14 s (6 a minute), 1 or 2 requests each.
  for (; t < 3 * 3_600_000; t += 6_000 + Math.floor(random() * 8_000)) {
    client++;
    const attackClass = ["sqli", "xss", "traversal", "cmdi"][Math.floor(random() * 4)] as string;
    for (let i = 0; i < 1 + Math.floor(random() * 2); i++) {
      scan.observeShieldHit(ip(client), attackClass, t + i * 900, { path: "/search", userAgent: "python-requests/2.31.0" });
    }
  }
  assert.ok(client > 1_000 + 1_000);
  assert.deepEqual(findings, []);
  // The bucket was live all along: the campaign that follows (new addresses) is found.
  campaign(scan, t);
  assert.equal(site().length > 0, true);
});

test("attack campaign: one client's hits of every class stay its own finding; as many hits from as many clients are a campaign", () => {
  const classes = ["sqli", "xss", "traversal", "cmdi", "ssrf", "ssti", "xxe", "nosqli", "ldapi", "rce"];
  const one = recordingDetector();
  for (let n = 0; n < 5; n++) one.scan.observeShieldHit(ip(n), "sqli", n * 100, { path: "/search" });
  for (const [i, attackClass] of classes.entries()) {
    one.scan.observeShieldHit("203.0.113.9", attackClass, 500 + i * 100, { path: "/search", userAgent: SQLMAP });
  }
  assert.ok(one.findings.some((f) => f.finding.subject === "ip:203.0.113.9"));
  assert.deepEqual(one.site(), []);
  // The same 15 flagged requests, each class from its own address: no one client to blame, a campaign.
  const many = recordingDetector();
  for (let n = 0; n < 5; n++) many.scan.observeShieldHit(ip(n), "sqli", n * 100, { path: "/search" });
  for (const [i, attackClass] of classes.entries()) {
    many.scan.observeShieldHit(ip(100 + i), attackClass, 500 + i * 100, { path: "/search", userAgent: SQLMAP });
  }
  assert.equal(many.site().length, 1);
  assert.deepEqual(
    many.findings.filter((f) => f.finding.subject !== "site"),
    [],
  );
});

test("attack campaign: flagged probe paths (/.env as traversal) are left to probesOverall", () => {
  const probes = recordingDetector();
  const paths = recordingDetector();
  for (let n = 0; n < 60; n++) {
    probes.scan.observeShieldHit(ip(n), "traversal", n * 500, { path: n % 2 === 0 ? "/.env" : "/.git/config" });
    paths.scan.observeShieldHit(ip(n), "traversal", n * 500, { path: "/download" });
  }
  assert.deepEqual(probes.site(), []);
  assert.equal(paths.site().length > 0, true);
});

test("attack campaign: through observe(), shield denials from 40 addresses, one each, raise one alert on the site and block no one", async () => {
  const clock = manualClock();
  const observed = observe({ store: false, clock, logger: recordingLogger(), handleSignals: false, worker: false });
  const guard = parapet({ rules: [denyAttackPaths], observers: [observed.observer], clock });
  try {
    for (let n = 0; n < 40; n++) {
      clock.advance(1_000);
      await guard.protect(request(ip(n), `/search/attack-${n}`, { "user-agent": SQLMAP }));
    }
    await observed.flush();
    const site = observed.alerts().filter((a) => a.kind === "attack_campaign" && a.subject === "site");
    assert.equal(site.length, 1, JSON.stringify(observed.alerts()));
    assert.equal(site[0]?.evidence.bucket, "shieldHitsOverall");
    // The request's user agent and path travel with the decision to the detector: who ran it, and where.
    const evidence = site[0]?.evidence as { topUserAgents: { userAgent: string; clients: number }[]; topPaths: { path: string }[] };
    assert.equal(evidence.topUserAgents[0]?.userAgent, SQLMAP);
    assert.ok((evidence.topUserAgents[0]?.clients ?? 0) >= 12, JSON.stringify(evidence.topUserAgents));
    assert.match(evidence.topPaths[0]?.path ?? "", /^\/search\/attack-\d+$/);
    assert.deepEqual(observed.blockList.entries(), []);
  } finally {
    await guard.close();
    await observed.close();
  }
});

test("attack campaign: a shieldHitsOverall without a usable capacity is refused at construction, naming the option", () => {
  assert.throws(
    () => createScanDetector({ shieldHitsOverall: { capacity: 0, leakMs: 1_000 } }, () => {}),
    /detectors\.scan\.shieldHitsOverall\.capacity/,
  );
});
