import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createAuthDetector } from "../src/detect/auth.js";
import { clientKeyFor, clientKeyOf } from "../src/detect/client-key.js";
import { createScanDetector } from "../src/detect/scan.js";
import { prefixOf } from "../src/detect/traffic.js";
import { blockListRule, createBlockList, observe } from "../src/index.js";
import { manualClock, parapet, recordingLogger, request } from "./helpers.js";

test("a scanner rotating addresses inside its IPv6 /64 is found and blocked as that /64; the next /64 is not", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 14));
  const observed = observe({ store: false, clock, logger: recordingLogger(), handleSignals: false });
  const guard = parapet({ rules: [blockListRule(observed.blockList)], observers: [observed.observer], clock });
  try {
    for (let i = 0; i < 40; i++) {
      clock.advance(50);
      const decision = await guard.protect(request(`2001:db8:1:2::${(i + 1).toString(16)}`, `/wp-admin/${i}.php`));
      observed.recordStatus(decision, 404);
    }
    observed.tick();
    await observed.flush(); // the detectors run in the log worker
    const scans = observed.alerts().filter((a) => a.kind === "scan");
    assert.deepEqual(
      scans.map((a) => a.subject),
      ["ip:2001:db8:1:2::/64"],
    );
    assert.match(scans[0]?.summary ?? "", /^2001:db8:1:2::\/64 /);
    assert.deepEqual(
      observed.blockList.entries().map((e) => e.ip),
      ["2001:db8:1:2::/64"],
    );

    const fresh = await guard.protect(request("2001:db8:1:2:abcd:ef01:2345:6789", "/"));
    assert.equal(fresh.conclusion, "DENY", "a fresh address in the same /64 is blocked too");
    assert.equal(fresh.reason.type, "BLOCKLIST");
    assert.equal((await guard.protect(request("2001:db8:1:3::1", "/"))).conclusion, "ALLOW", "the next /64 is another client");
    assert.equal((await guard.protect(request("192.0.2.1", "/"))).conclusion, "ALLOW");
  } finally {
    await guard.close();
    await observed.close();
  }
});

test("block list: IPv6 entries cover their /64, IPv4 entries one address, IPv4-mapped IPv6 is the IPv4 address", () => {
  const clock = manualClock();
  const list = createBlockList(clock);
  list.add("2001:DB8:a:b::5", 60_000, "scan");
  assert.equal(list.lookup("2001:db8:a:b:ffff:ffff:ffff:ffff")?.ip, "2001:db8:a:b::/64");
  assert.equal(list.lookup("2001:db8:a:c::5"), undefined);
  list.add("2001:db8:a:d::/64", 60_000, "a finding's subject is a key as it is");
  assert.ok(list.lookup("2001:db8:a:d::77"));

  list.add("::ffff:198.51.100.7", 60_000, "mapped");
  assert.equal(list.lookup("198.51.100.7")?.ip, "198.51.100.7");
  assert.equal(list.lookup("198.51.100.8"), undefined, "IPv4 is not widened");
  list.add("203.0.113.9", 60_000, "plain");
  assert.ok(list.lookup("::ffff:203.0.113.9"));

  list.remove("2001:db8:a:b::1234");
  assert.equal(list.lookup("2001:db8:a:b::5"), undefined, "removing any address of the /64 removes its entry");
  assert.deepEqual(
    list
      .entries()
      .map((e) => e.ip)
      .sort(),
    ["198.51.100.7", "2001:db8:a:d::/64", "203.0.113.9"],
  );
});

test("clientKeyOf agrees with core's rate-limit key: /64 for IPv6, the address for IPv4 and IPv4-mapped", () => {
  assert.equal(clientKeyOf("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(clientKeyOf("2001:db8:1:2::/64"), "2001:db8:1:2::/64");
  assert.equal(clientKeyOf("::ffff:1.2.3.4"), "1.2.3.4");
  assert.equal(clientKeyOf("1.2.3.4"), "1.2.3.4");
});

test("auth and scan detectors count a rotating /64 as one client, and name it; mapped IPv4 is the IPv4 client", () => {
  const findings: Finding[] = [];
  const auth = createAuthDetector({}, (finding) => findings.push(finding));
  for (let i = 0; i < 11; i++) {
    auth.observe({ type: "failure", timestamp: i * 100, ip: `2001:db8:9:9::${(i + 1).toString(16)}`, user: "alice", request: {} as never });
  }
  const brute = findings.find((f) => f.evidence.bucket === "failuresPerIp");
  assert.equal(brute?.subject, "ip:2001:db8:9:9::/64");
  assert.equal(brute?.evidence.ip, "2001:db8:9:9::b", "the evidence keeps the address last seen");

  findings.length = 0;
  const scan = createScanDetector({}, (finding) => findings.push(finding));
  for (let i = 0; i < 6; i++) scan.observeStatus(i % 2 ? "::ffff:198.51.100.20" : "198.51.100.20", `/.git/${i}`, 404, i * 10);
  assert.deepEqual(
    findings.map((f) => f.subject),
    ["ip:198.51.100.20"],
  );
});

test("observe({ ipv6Prefix: 56 }) counts and blocks a scanner hopping across the /64s of its /56 as that /56", async () => {
  const clock = manualClock(Date.UTC(2025, 0, 14));
  const observed = observe({ store: false, clock, logger: recordingLogger(), handleSignals: false, ipv6Prefix: 56 });
  const guard = parapet({ rules: [blockListRule(observed.blockList)], observers: [observed.observer], clock, ipv6Prefix: 56 });
  try {
    for (let i = 0; i < 40; i++) {
      clock.advance(50);
      // A new /64 every request (2001:db8:1:00xx::1): with the default /64 each would be a client of its own.
      const decision = await guard.protect(request(`2001:db8:1:${(i + 1).toString(16)}::1`, `/wp-admin/${i}.php`));
      observed.recordStatus(decision, 404);
    }
    observed.tick();
    await observed.flush();
    assert.deepEqual(
      observed
        .alerts()
        .filter((a) => a.kind === "scan")
        .map((a) => a.subject),
      ["ip:2001:db8:1::/56"],
    );
    assert.deepEqual(
      observed.blockList.entries().map((e) => e.ip),
      ["2001:db8:1::/56"],
    );
    assert.equal((await guard.protect(request("2001:db8:1:ff::9", "/"))).reason.type, "BLOCKLIST", "another /64 of the /56");
    assert.equal((await guard.protect(request("2001:db8:1:100::1", "/"))).conclusion, "ALLOW", "the next /56 is another client");
  } finally {
    await guard.close();
    await observed.close();
  }
});

test("ipv6Prefix reaches every IPv6 key: the auth detector's, the scan detector's, the spike prefixes and the block list", () => {
  const findings: Finding[] = [];
  const auth = createAuthDetector({}, (finding) => findings.push(finding), clientKeyFor(48));
  // A new /64 of the same /48 each time.
  for (let i = 0; i < 11; i++) {
    auth.observe({ type: "failure", timestamp: i * 100, ip: `2001:db8:0:${(i + 1).toString(16)}::1`, request: {} as never });
  }
  assert.deepEqual(
    findings.map((f) => f.subject),
    ["ip:2001:db8::/48"],
  );
  findings.length = 0;
  const scan = createScanDetector({}, (finding) => findings.push(finding), clientKeyFor(48));
  for (let i = 0; i < 6; i++) scan.observeStatus(`2001:db8:7:${i}::1`, `/.git/${i}`, 404, i * 10);
  assert.deepEqual(
    findings.map((f) => f.subject),
    ["ip:2001:db8:7::/48"],
  );
  assert.equal(prefixOf("2001:db8:1:2:3:4:5:6", 48), "2001:db8:1::/48");
  assert.equal(prefixOf("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(prefixOf("198.51.100.7", 48), "198.51.100.0/24", "IPv4 keeps its /24");
  const list = createBlockList(manualClock(), 10, 48);
  list.add("2001:db8:5:6::1", 60_000, "scan");
  assert.equal(list.lookup("2001:db8:5:ffff::1")?.ip, "2001:db8:5::/48");
  assert.equal(list.lookup("2001:db8:6::1"), undefined);
});

test("credential stuffing spread over the /64s of one IPv6 /48 is found as that /48, and not blocked; an office's few typos are not", async () => {
  // One guess per /64, 50 accounts a minute: every /64 stays below usersPerIp and the site below usersOverall, so the
  // per-client buckets saw 1,500 accounts in 30 minutes go by without a finding.
  const findings: Finding[] = [];
  const auth = createAuthDetector({}, (finding) => findings.push(finding));
  for (let i = 0, ts = 0; ts < 30 * 60_000; i++, ts += 1_200) {
    auth.observe({
      type: "failure",
      timestamp: ts,
      ip: `2001:db8:77:${(i % 4096).toString(16)}::1`,
      user: `victim${i}`,
      request: {} as never,
    });
  }
  const network = findings.filter((f) => f.evidence.bucket === "usersPerNetwork");
  assert.ok(network.length > 0, "found");
  assert.ok(
    network.every((f) => f.kind === "credential_stuffing" && f.subject === "net:2001:db8:77::/48"),
    JSON.stringify(network[0]),
  );
  // The site-wide usersOverallSustained sees the same list too (50 accounts a minute); no /64 is named.
  assert.ok(
    findings.every(
      (f) => f.evidence.bucket === "usersPerNetwork" || (f.subject === "site" && f.evidence.bucket === "usersOverallSustained"),
    ),
    "no single /64 looked like anything",
  );

  // An office /48 with three /64s: 15 people mistyping over ten minutes is nothing.
  findings.length = 0;
  for (let i = 0; i < 15; i++) {
    auth.observe({
      type: "failure",
      timestamp: 40 * 60_000 + i * 40_000,
      ip: `2001:db8:99:${i % 3}::${i + 1}`,
      user: `staff${i}`,
      request: {} as never,
    });
  }
  assert.deepEqual(findings, []);

  // Clients keyed by /48 already (observe({ ipv6Prefix: 48 })): usersPerIp is that bucket, no second finding.
  const wide: Finding[] = [];
  const keyedWide = createAuthDetector({}, (finding) => wide.push(finding), clientKeyFor(48), undefined);
  for (let i = 0; i < 30; i++) {
    keyedWide.observe({
      type: "failure",
      timestamp: i * 1_000,
      ip: `2001:db8:77:${i.toString(16)}::1`,
      user: `victim${i}`,
      request: {} as never,
    });
  }
  assert.ok(wide.length > 0 && wide.every((f) => f.subject === "ip:2001:db8:77::/48"), JSON.stringify(wide.map((f) => f.subject)));

  // Through observe(): alerted, and not on the block list (a block covers one client, the /48 is many).
  const clock = manualClock(Date.UTC(2025, 0, 15));
  const observed = observe({ store: false, clock, logger: recordingLogger(), handleSignals: false, worker: false });
  const guard = parapet({ rules: [blockListRule(observed.blockList)], observers: [observed.observer], clock });
  try {
    for (let i = 0; i < 60; i++) {
      clock.advance(1_200);
      guard.reportAuthFailure(request(`2001:db8:78:${(i + 1).toString(16)}::1`), { user: `victim${i}` });
    }
    observed.tick();
    assert.deepEqual(
      observed.alerts().map((a) => a.subject),
      ["net:2001:db8:78::/48"],
    );
    assert.deepEqual(observed.blockList.entries(), []);
  } finally {
    await guard.close();
    await observed.close();
  }
});

test("observe rejects an ipv6Prefix core would reject, naming the option", () => {
  for (const ipv6Prefix of [0, 129, 56.5, Number.NaN]) {
    assert.throws(() => observe({ store: false, handleSignals: false, ipv6Prefix }), /ipv6Prefix` must be an integer from 1 to 128/);
  }
});
