import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrContains, parseCidr, parseIp } from "@parapet/core";
import { bundledCatalogue, bundledIpRanges, DEFAULT_BOT_POLICY, detectBot, inPublishedRanges, parseIpRangeSnapshot } from "../src/index.js";
import { createIpRangeSet } from "../src/ip-range-set.js";
import { decide, scriptedResolver } from "./helpers.js";

const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const GPTBOT_UA = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";

function cidrs(...texts: string[]) {
  return texts.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`bad test CIDR ${text}`);
    return cidr;
  });
}

function ip(text: string) {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`bad test IP ${text}`);
  return parsed;
}

describe("IP range set", () => {
  it("answers at the edges of IPv4 and IPv6 ranges", () => {
    const set = createIpRangeSet(cidrs("192.0.2.32/27", "2001:db8:10::/48", "198.51.100.7/32"));
    assert.equal(set.contains(ip("192.0.2.32")), true);
    assert.equal(set.contains(ip("192.0.2.63")), true);
    assert.equal(set.contains(ip("192.0.2.31")), false);
    assert.equal(set.contains(ip("192.0.2.64")), false);
    assert.equal(set.contains(ip("198.51.100.7")), true);
    assert.equal(set.contains(ip("198.51.100.8")), false);
    assert.equal(set.contains(ip("2001:db8:10:ffff::1")), true);
    assert.equal(set.contains(ip("2001:db8:11::")), false);
    // An IPv4-mapped IPv6 address is the IPv4 client behind a dual-stack socket.
    assert.equal(set.contains(ip("::ffff:192.0.2.40")), true);
    assert.equal(set.contains(ip("::c000:228")), false);
  });

  it("merges overlapping and touching ranges without losing any address", () => {
    const set = createIpRangeSet(cidrs("10.0.0.0/25", "10.0.0.128/25", "10.0.0.0/24", "10.0.2.0/24", "255.255.255.255/32"));
    assert.equal(set.contains(ip("10.0.0.200")), true);
    assert.equal(set.contains(ip("10.0.1.0")), false);
    assert.equal(set.contains(ip("10.0.2.255")), true);
    assert.equal(set.contains(ip("255.255.255.255")), true);
    assert.equal(createIpRangeSet([]).contains(ip("10.0.0.1")), false);
  });

  it("agrees with a linear CIDR scan on random addresses", () => {
    const ranges = cidrs("66.249.64.0/27", "66.249.66.0/27", "34.22.85.0/27", "17.166.20.0/24", "9.129.0.0/17", "2001:4860:4801:10::/64");
    const set = createIpRangeSet(ranges);
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const prefixes = ["66.249.64", "66.249.66", "66.249.65", "34.22.85", "17.166.20", "9.129"];
    for (let i = 0; i < 2000; i++) {
      const base = prefixes[next() % prefixes.length] as string;
      const text = base.split(".").length === 2 ? `${base}.${next() % 256}.${next() % 256}` : `${base}.${next() % 256}`;
      const parsed = ip(text);
      assert.equal(
        set.contains(parsed),
        ranges.some((range) => cidrContains(range, parsed)),
        text,
      );
    }
  });
});

describe("published IP range snapshot", () => {
  it("ships a non-empty list with its source and date for every verifier that names one", () => {
    const snapshot = bundledIpRanges();
    for (const [id, spec] of Object.entries(bundledCatalogue().verifiers)) {
      if (spec.ipRanges === undefined) continue;
      const list = snapshot.lists[spec.ipRanges];
      assert.ok(list && list.ranges.size > 0, `verifier ${id}: list ${spec.ipRanges} is missing or empty`);
      assert.match(list.source ?? "", /^https:\/\//, `${spec.ipRanges} names no https source`);
      assert.ok(
        list.creationTime !== undefined || /as stored in \S+@[0-9a-f]{40}/.test(list.snapshot ?? ""),
        `${spec.ipRanges} is undated`,
      );
    }
  });

  it("refuses prefixes that are invalid or broad enough to verify anyone", () => {
    assert.throws(() => parseIpRangeSnapshot({ lists: { google: ["0.0.0.0/0"] } }), /broader than \/8/);
    assert.throws(() => parseIpRangeSnapshot({ lists: { google: ["2000::/3"] } }), /broader than \/24/);
    assert.throws(() => parseIpRangeSnapshot({ lists: { google: { prefixes: ["66.249.64.0/33"] } } }), /invalid CIDR/);
    assert.throws(() => parseIpRangeSnapshot({ lists: { google: { prefixes: "66.249.64.0/27" } } }), /must be/);
    assert.equal(inPublishedRanges(parseIpRangeSnapshot({ lists: {} }), "google", "66.249.66.1"), undefined);
  });
});

describe("detectBot: verification by published ranges", () => {
  // A resolver that records calls and knows nothing: any verdict reached without calling it came from the ranges.
  const silentDns = () => scriptedResolver({}, {});

  it("verifies a Googlebot inside Google's published IPv4 and IPv6 ranges without asking DNS", async () => {
    for (const address of ["66.249.66.1", "2001:4860:4801:10::1"]) {
      const dns = silentDns();
      const { decision, reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, resolver: dns }), address, {
        "user-agent": GOOGLEBOT_UA,
      });
      assert.equal(decision.isAllowed(), true, address);
      assert.equal(reason.verification, "verified", address);
      assert.ok(reason.signals.includes("verify:ip-range"), address);
      assert.deepEqual(dns.calls, [], address);
    }
  });

  it("outside Google's ranges falls back to DNS, which exposes the spoof", async () => {
    const dns = scriptedResolver({ "198.51.100.7": ["host-7.attacker.example"] }, {});
    const { decision, reason } = await decide(detectBot({ ...DEFAULT_BOT_POLICY, resolver: dns }), "198.51.100.7", {
      "user-agent": GOOGLEBOT_UA,
    });
    assert.equal(decision.isDenied(), true);
    assert.equal(reason.verification, "spoofed");
    assert.ok(reason.signals.includes("verify:ptr-not-in-domain"));
  });

  it("a GPTBot claim is decided by OpenAI's list alone: inside is verified, outside is spoofed", async () => {
    const allowAi = { allow: ["CATEGORY:AI_CRAWLER" as const] };
    const inside = silentDns();
    const verified = await decide(detectBot({ ...allowAi, resolver: inside }), "20.171.206.10", { "user-agent": GPTBOT_UA });
    assert.equal(verified.reason.verification, "verified");
    assert.equal(verified.decision.isAllowed(), true);
    const outside = silentDns();
    const spoofed = await decide(detectBot({ ...allowAi, resolver: outside }), "203.0.113.9", { "user-agent": GPTBOT_UA });
    assert.equal(spoofed.reason.verification, "spoofed");
    assert.ok(spoofed.reason.signals.includes("verify:not-in-ip-ranges"));
    assert.equal(spoofed.decision.isDenied(), true);
    assert.deepEqual([...inside.calls, ...outside.calls], []);
  });
});
