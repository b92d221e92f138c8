import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createSpikeDetector, type SpikeDetector } from "../src/detect/spike.js";
import type { TrafficEvent } from "../src/detect/traffic.js";
import { trafficEvent } from "./helpers.js";

/** Ten small API customers (one address each) and one big one (`big`, 4 addresses in 52.10.20.0/24, 10 req/s). */
function customerRequest(ts: number, i: number, bigKey = "k_big"): TrafficEvent {
  if (i % 3 !== 0) {
    const ip = `52.10.20.${1 + (i % 4)}`;
    return trafficEvent(ts, bigKey, { ip, prefix: "52.10.20.0/24" });
  }
  const n = (i / 3) % 10;
  return trafficEvent(ts, `k_small${n}`, { ip: `192.0.${2 + n}.9`, prefix: `192.0.${2 + n}.0/24` });
}

/** 40 minutes of customers (15 req/s), then `next` every `stepMs` for `minutes`; returns the findings. */
function replay(next: (ts: number, i: number) => TrafficEvent, stepMs = 66, minutes = 2): Finding[] {
  const findings: Finding[] = [];
  const detector: SpikeDetector = createSpikeDetector({}, (finding) => findings.push(finding));
  let ts = 0;
  let i = 0;
  for (; ts < 40 * 60_000; ts += 66, i++) detector.observe(customerRequest(ts, i));
  assert.deepEqual(findings, [], "steady customers raise nothing");
  for (const end = ts + minutes * 60_000; ts < end; ts += stepMs, i++) detector.observe(next(ts, i));
  detector.tick(ts + 20_000);
  return findings;
}

test("spike: a customer rotating its API key (same addresses, same kind of client) is no attack", () => {
  // The big customer's old key stops and a new one starts at the same volume: before, the new key was a client with
  // no history carrying the whole jump in "other" traffic, and the rotation was called an attack.
  const findings = replay((ts, i) => customerRequest(ts, i, "k_big_rotated"));
  assert.ok(
    findings.every((f) => f.evidence.verdict === "customer"),
    JSON.stringify(findings.map((f) => [f.evidence.verdict, f.evidence.signals])),
  );
});

test("spike: a new key from another address (even in the customer's /24) or from a bot on its address inherits nothing", () => {
  for (const [label, fields] of [
    ["a bot on the customer's address", { ip: "52.10.20.1", prefix: "52.10.20.0/24", bot: true }],
    ["a neighbour in the customer's /24", { ip: "52.10.20.99", prefix: "52.10.20.0/24" }],
    ["another network", { ip: "198.51.100.7", prefix: "198.51.100.0/24" }],
  ] as const) {
    const findings = replay((ts, i) => (i % 3 === 0 ? customerRequest(ts, i) : trafficEvent(ts, "k_stranger", { ...fields })));
    assert.ok(findings.length > 0, `${label}: a stranger's 10 req/s is a spike of unknown clients`);
    assert.ok(
      findings.every((f) => f.evidence.verdict === "attack"),
      `${label}: ${JSON.stringify(findings[0]?.evidence)}`,
    );
  }
});

/** The big customer's key, leaked, used by 15 addresses it never used (a residential proxy pool) at 60 req/s. */
function leakedKeyFlood(bot: boolean) {
  return (ts: number, i: number) =>
    i % 5 === 0
      ? customerRequest(ts, i)
      : trafficEvent(ts, "k_big", {
          ip: `203.0.${100 + (i % 15)}.7`,
          prefix: `203.0.${100 + (i % 15)}.0/24`,
          bot,
        });
}

test("spike: an established key flooding from networks it never used is not a plain customer", () => {
  // Before: "customer" (an established key carries the excess, and 15 new addresses are no 3x jump in distinct IPs).
  const findings = replay(leakedKeyFlood(false), 16);
  assert.ok(findings.length > 0, "4x the site's traffic is a spike");
  for (const finding of findings) {
    assert.notEqual(finding.evidence.verdict, "customer", JSON.stringify(finding.evidence));
    assert.ok((finding.evidence.signals as string[]).includes("established clients used from networks new to them"));
    assert.ok(finding.summary.includes("networks"), finding.summary);
  }
});

test("spike: the same leaked-key flood from bots is an attack", () => {
  // Before: "unexplained" (the established key carried the excess, so the bot share alone could not make it an attack).
  const findings = replay(leakedKeyFlood(true), 16);
  assert.ok(findings.length > 0);
  assert.ok(
    findings.every((f) => f.evidence.verdict === "attack" && f.severity === "critical"),
    JSON.stringify(findings.map((f) => [f.evidence.verdict, f.evidence.signals])),
  );
});

test("spike: the big customer growing 6x from its own addresses is still a customer", () => {
  const grown = replay((ts, i) => (i % 6 === 0 ? customerRequest(ts, i) : customerRequest(ts, 1)), 11);
  // Every request but the sixth is the big key from 52.10.20.2: six times its volume.
  assert.ok(grown.length > 0, "a 6x jump is a spike");
  assert.ok(
    grown.every((f) => f.evidence.verdict === "customer"),
    JSON.stringify(grown.map((f) => [f.evidence.verdict, f.evidence.signals])),
  );
});
