import assert from "node:assert/strict";
import { test } from "node:test";
import type { RuleResult } from "@parapet/core";
import {
  compactRules,
  compactRulesHead,
  compactRulesKeys,
  compactRulesLine,
  decodeResults,
  encodeResults,
  mapRuleKeys,
} from "../src/results-codec.js";

const allowed: RuleResult = {
  ruleId: "RATE_LIMIT:api",
  ruleType: "RATE_LIMIT",
  mode: "LIVE",
  conclusion: "ALLOW",
  reason: { type: "RATE_LIMIT", max: 10, remaining: 9, reset: 60, window: 60 } as unknown as RuleResult["reason"],
  durationMs: 0.25,
};

/** `allowed` as the compact form reads it back: the reason keeps its type only. */
const allowedReadBack = {
  ruleId: "RATE_LIMIT:api",
  ruleType: "RATE_LIMIT",
  mode: "LIVE",
  conclusion: "ALLOW",
  reason: { type: "RATE_LIMIT" },
  durationMs: 0.25,
};

test("a single allowed rule is stored compactly and read back as that rule", () => {
  const stored = encodeResults([allowed]);
  assert.equal(stored, "~RATE_LIMIT:api\tRATE_LIMIT\tLIVE\tRATE_LIMIT\t0.25\t");
  assert.deepEqual(decodeResults(stored), [allowedReadBack]);
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

const shieldAllowed: RuleResult = {
  ruleId: "SHIELD",
  ruleType: "SHIELD",
  mode: "LIVE",
  conclusion: "ALLOW",
  reason: { type: "ALLOWED", message: "no attack found" } as unknown as RuleResult["reason"],
  durationMs: 4.5,
};

test("several rules that all allowed travel as one compact line and read back rule by rule", () => {
  const keyed: RuleResult = { ...allowed, key: "RATE_LIMIT:api|ip=10.0.0.1" };
  const line = compactRules([keyed, shieldAllowed]);
  assert.ok(line !== undefined);
  assert.deepEqual(decodeResults(line), [
    { ...allowedReadBack, key: "RATE_LIMIT:api|ip=10.0.0.1" },
    { ruleId: "SHIELD", ruleType: "SHIELD", mode: "LIVE", conclusion: "ALLOW", reason: { type: "ALLOWED" }, durationMs: 4.5 },
  ]);
});

test("several rules keep their objects when one has more to say", () => {
  const denied: RuleResult = { ...allowed, conclusion: "DENY" };
  const bot: RuleResult = { ...allowed, ruleType: "DETECT_BOT" };
  const classified: RuleResult = { ...shieldAllowed, reason: { type: "ALLOWED", class: "sqli" } as unknown as RuleResult["reason"] };
  const separated: RuleResult = { ...allowed, key: "a\u001eb" };
  for (const results of [
    [allowed],
    [allowed, denied],
    [allowed, bot],
    [allowed, classified],
    [allowed, separated],
    [{ ...allowed, key: "" }, allowed],
  ]) {
    assert.equal(compactRules(results), undefined, JSON.stringify(results));
  }
});

test("each rule's key can be rewritten (credentials to fingerprints) before the worker writes the line", () => {
  const results = [{ ...allowed, key: "RATE_LIMIT:api|apiKey=sk_live_1" }, shieldAllowed, { ...allowed, key: "RATE_LIMIT:api|ip=1" }];
  const head = compactRulesHead(results);
  assert.ok(head !== undefined);
  const keys = compactRulesKeys(results);
  const mapped = mapRuleKeys(keys, (key) => key.replace("sk_live_1", "k_0123"));
  const line = compactRulesLine(head, (i) => results[i]!.durationMs, mapped);
  assert.deepEqual(
    decodeResults(line).map((r) => [r.ruleId, r.durationMs, r.key]),
    [
      ["RATE_LIMIT:api", 0.25, "RATE_LIMIT:api|apiKey=k_0123"],
      ["SHIELD", 4.5, undefined],
      ["RATE_LIMIT:api", 0.25, "RATE_LIMIT:api|ip=1"],
    ],
  );
  assert.equal(
    mapRuleKeys(keys, (key) => key),
    keys,
    "unchanged keys give back the same string",
  );
});
