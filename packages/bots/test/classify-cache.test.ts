import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "@parapet/core";
import { bundledCatalogue, createUserAgentClassifier, DEFAULT_BOT_POLICY, detectBot } from "../src/index.js";
import { humanFixture } from "./helpers.js";

const uncached = createUserAgentClassifier(bundledCatalogue());

describe("User-Agent classification cache", () => {
  const agents = [
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; MyCrawler/1.0; +https://example.com/bot)",
    "chrome",
    ...humanFixture().map((entry) => entry.ua),
  ];

  it("answers exactly as the uncached classifier, first time and from the cache", () => {
    const cached = createUserAgentClassifier(bundledCatalogue(), { cacheSize: 8 });
    for (let pass = 0; pass < 2; pass++) for (const ua of agents) assert.deepEqual(cached(ua), uncached(ua), `pass ${pass}: ${ua}`);
  });

  it("hands out answers nobody can change, so one request cannot poison the next", () => {
    const cached = createUserAgentClassifier(bundledCatalogue(), { cacheSize: 8 });
    const answer = cached("python-requests/2.31.0 plus a crawler");
    assert.throws(() => (answer.signals as string[]).push("tampered"), TypeError);
    assert.deepEqual(cached("python-requests/2.31.0 plus a crawler"), uncached("python-requests/2.31.0 plus a crawler"));
  });

  it("still classifies oversized and missing User-Agents (they are not cached)", () => {
    const cached = createUserAgentClassifier(bundledCatalogue(), { cacheSize: 8 });
    const huge = `Mozilla/5.0 ${"a".repeat(5000)}`;
    assert.deepEqual(cached(huge), uncached(huge));
    assert.ok(cached(huge).signals.includes("ua:oversized"));
    assert.deepEqual(cached(undefined).signals, ["ua:missing"]);
  });

  it("rejects a bad cache size at construction", () => {
    assert.throws(() => createUserAgentClassifier(bundledCatalogue(), { cacheSize: -1 }), /cacheSize/);
    assert.throws(() => detectBot({ ...DEFAULT_BOT_POLICY, userAgentCacheSize: 1.5 }), /userAgentCacheSize/);
  });

  it("the rule's reasons are its own: changing one does not change the next request's", async () => {
    const rule = detectBot({ ...DEFAULT_BOT_POLICY, userAgentCacheSize: 8 });
    const headers: Record<string, string> = { "user-agent": "curl/8.5.0" };
    const request = { headers, header: (name: string) => headers[name], ip: "203.0.113.9" };
    const context = { request, clock: { now: () => 0 }, logger: silentLogger } as never;
    const first = await rule.evaluate(context);
    (first.reason as unknown as { signals: string[] }).signals.push("tampered");
    const second = await rule.evaluate(context);
    assert.deepEqual((second.reason as unknown as { signals: string[] }).signals, ["ua:bot:curl", "ua:token:curl"]);
  });
});
