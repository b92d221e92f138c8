/**
 * A client claiming a crawler from ever-new IPs (an IPv6 /64 holds 2^64) costs a DNS verification per IP.
 * These check that the work in flight stays bounded and that the bound cannot be held forever.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_BOT_POLICY, detectBot, parseIpRangeSnapshot } from "../src/index.js";
import type { BotResolver } from "../src/resolver.js";
import { decide } from "./helpers.js";

const GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const NO_RANGES = parseIpRangeSnapshot({ lists: {} });

/** A resolver whose PTR answers wait until `answerAll()`, counting the questions it was asked. */
function heldResolver(): BotResolver & { reverseCalls: number; answerAll(): void } {
  const waiting: (() => void)[] = [];
  const notFound = () => Object.assign(new Error("queryPtr ENOTFOUND"), { code: "ENOTFOUND" });
  return {
    reverseCalls: 0,
    reverse(): Promise<string[]> {
      this.reverseCalls++;
      return new Promise((_, reject) => waiting.push(() => reject(notFound())));
    },
    resolve: () => Promise.resolve([]),
    answerAll() {
      for (const answer of waiting.splice(0)) answer();
    },
  };
}

describe("detectBot: a flood of fake crawlers from fresh IPs", () => {
  it("runs at most maxConcurrentLookups verifications at once and turns the rest away unverified", async () => {
    const dns = heldResolver();
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: dns, maxConcurrentLookups: 8, dnsTimeoutMs: 30_000 });
    let settled = 0;
    const pending = Array.from({ length: 200 }, (_, i) =>
      decide(rule, `2001:db8::${(i + 1).toString(16)}`, { "user-agent": GOOGLEBOT_UA }).finally(() => settled++),
    );
    // Every request reaches the verifier (asking DNS or turned away) before any DNS answer comes back.
    for (let turn = 0; turn < 1_000 && dns.reverseCalls + settled < 200; turn++) await new Promise((resolve) => setImmediate(resolve));
    dns.answerAll();
    const results = await Promise.all(pending);
    assert.equal(dns.reverseCalls, 8);
    const busy = results.filter(({ reason }) => reason.signals.includes("verify:busy"));
    assert.equal(busy.length, 192);
    for (const { decision, reason } of busy) {
      assert.equal(reason.verification, "unverifiable");
      assert.equal(decision.isDenied(), true, "turned away by default, as a DNS timeout is");
    }
  });

  it("frees a slot when its verification times out, so a resolver that never answers cannot hold the bound", async () => {
    const hanging = { reverse: () => new Promise<string[]>(() => {}), resolve: () => new Promise<string[]>(() => {}) };
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, ipRanges: NO_RANGES, resolver: hanging, maxConcurrentLookups: 1, dnsTimeoutMs: 20 });
    const first = await decide(rule, "198.51.100.1", { "user-agent": GOOGLEBOT_UA });
    const second = await decide(rule, "198.51.100.2", { "user-agent": GOOGLEBOT_UA });
    assert.ok(first.reason.signals.includes("verify:timeout"));
    assert.ok(second.reason.signals.includes("verify:timeout"), "the second IP was looked up, not refused as busy");
  });

  it("rejects a bound that is not a positive integer", () => {
    assert.throws(() => detectBot({ maxConcurrentLookups: 0 }), /maxConcurrentLookups/);
    assert.throws(() => detectBot({ maxConcurrentLookups: 1.5 }), /maxConcurrentLookups/);
  });
});
