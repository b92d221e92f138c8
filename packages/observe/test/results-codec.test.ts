import assert from "node:assert/strict";
import { test } from "node:test";
import type { RuleResult } from "@parapet/core";
import { decodeResults, encodeResults } from "../src/results-codec.js";

const allowed: RuleResult = {
  ruleId: "RATE_LIMIT:api",
  ruleType: "RATE_LIMIT",
  mode: "LIVE",
  conclusion: "ALLOW",
  reason: { type: "RATE_LIMIT", max: 10, remaining: 9, reset: 60, window: 60 } as unknown as RuleResult["reason"],
  durationMs: 0.25,
};

test("a single allowed rule is stored compactly and read back as that rule", () => {
  const stored = encodeResults([allowed]);
  assert.equal(stored, "~RATE_LIMIT:api\tRATE_LIMIT\tLIVE\tRATE_LIMIT\t0.25\t");
  assert.deepEqual(decodeResults(stored), [
    {
      ruleId: "RATE_LIMIT:api",
      ruleType: "RATE_LIMIT",
      mode: "LIVE",
      conclusion: "ALLOW",
      reason: { type: "RATE_LIMIT" },
      durationMs: 0.25,
    },
  ]);
});

test("a rule's key survives the compact form", () => {
  const keyed: RuleResult = { ...allowed, key: "RATE_LIMIT:fixed|ip=10.0.0.1" };
  assert.equal(decodeResults(encodeResults([keyed]))[0]?.key, "RATE_LIMIT:fixed|ip=10.0.0.1");
});

test("denials, several rules, keys and tabs keep the exact JSON", () => {
  const denied: RuleResult = { ...allowed, conclusion: "DENY" };
  const tabbed: RuleResult = { ...allowed, ruleId: "RATE_LIMIT:a\tb" };
  const tabbedKey: RuleResult = { ...allowed, key: "ip=a\tb" };
  const bot: RuleResult = { ...allowed, ruleType: "DETECT_BOT" };
  for (const results of [[denied], [allowed, allowed], [tabbed], [tabbedKey], [bot], []]) {
    const stored = encodeResults(results);
    assert.ok(stored.startsWith("["), `JSON form for ${JSON.stringify(results)}`);
    assert.deepEqual(decodeResults(stored), results);
  }
});

test("a malformed compact value is a clear error, not a half-filled result", () => {
  assert.throws(() => decodeResults("~only\ttwo"), /expected 6/);
  assert.throws(() => decodeResults("not json"), SyntaxError);
});
