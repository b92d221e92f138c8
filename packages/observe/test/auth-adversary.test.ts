import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createAuthDetector } from "../src/detect/auth.js";

const AGENTS = ["python-requests/2.31.0", "curl/8.4.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0", "okhttp/4.12"];

/**
 * A combo list replayed low and slow: each attempt from another of `ips` addresses (300 /24s, or the /64s of one
 * IPv6 /48), `perMinute` accounts a minute for `minutes`, one in 100 a success. Returns the findings and when the
 * first came.
 */
function stuff(perMinute: number, minutes: number, ipOf: (i: number) => string): { findings: Finding[]; first: number | undefined } {
  const findings: Finding[] = [];
  let first: number | undefined;
  const detector = createAuthDetector({}, (finding, ts) => {
    findings.push(finding);
    first ??= ts;
  });
  const step = 60_000 / perMinute;
  for (let i = 0, ts = 0; ts < minutes * 60_000; i++, ts += step) {
    const type = i % 100 === 99 ? "success" : "failure";
    // The user agent is the attacker's choice and the detector never reads it: rotating it changes nothing.
    const request = { headers: { "user-agent": AGENTS[i % AGENTS.length] } } as never;
    detector.observe({ type, timestamp: ts, ip: ipOf(i), user: `victim${i}@example.com`, request });
  }
  return { findings, first };
}

const ipv4 = (i: number) => `${20 + (i % 300)}.${(i * 7) % 256}.${i % 250}.${1 + (i % 200)}`;
const ipv6InOneNetwork = (i: number) => `2001:db8:77:${(i % 65_000).toString(16)}::${(1 + i).toString(16)}`;

test("auth: a combo list replayed at 45 accounts a minute from 300 networks is found within 5 minutes", () => {
  // Below usersOverall (40 in a burst, one a second back) and below every per-IP and per-/48 bucket: before, an hour
  // of it (2,700 accounts) raised nothing.
  for (const [label, ipOf] of [
    ["IPv4, 300 /24s", ipv4],
    ["IPv6, every /64 of one /48", ipv6InOneNetwork],
  ] as const) {
    const { findings, first } = stuff(45, 60, ipOf);
    const sustained = findings.filter((f) => f.evidence.bucket === "usersOverallSustained");
    assert.ok(sustained.length > 0, `${label}: ${JSON.stringify(findings.map((f) => f.evidence.bucket))}`);
    assert.equal(sustained[0]!.kind, "credential_stuffing");
    assert.equal(sustained[0]!.subject, "site");
    assert.ok(first !== undefined && first < 5 * 60_000, `${label}: first finding at ${first} ms`);
  }
});

test("auth: people mistyping passwords, 8 accounts a minute all day, raise nothing", () => {
  // Each person fails once or twice and then logs in: 8 distinct accounts failing a minute is a site with ~10,000
  // logins an hour at a 5% typo rate.
  const findings: Finding[] = [];
  const detector = createAuthDetector({}, (finding) => findings.push(finding));
  for (let i = 0, ts = 0; ts < 8 * 3600_000; i++, ts += 7_500) {
    const ip = ipv4(i);
    const user = `person${i % 5000}`;
    detector.observe({ type: "failure", timestamp: ts, ip, user, request: {} as never });
    if (i % 3 === 0) detector.observe({ type: "failure", timestamp: ts + 4_000, ip, user, request: {} as never });
    detector.observe({ type: "success", timestamp: ts + 6_000, ip, user, request: {} as never });
  }
  assert.deepEqual(findings, []);
});
