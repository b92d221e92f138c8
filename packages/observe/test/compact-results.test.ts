import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { fixedWindow, type Rule } from "@parapet/core";
import { observe, sqliteLog } from "../src/index.js";
import { labelBot, manualClock, parapet, recordingLogger, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());

test("through the log worker, a lone allowing rule is stored compactly and a bot rule keeps its class", async () => {
  const clock = manualClock();
  const driver = sqliteLog({ path: join(dir.path, "compact.db") });
  const observed = observe({ store: driver, clock, logger: recordingLogger(), handleSignals: false });
  const limited = parapet({ rules: [fixedWindow({ max: 100, window: "1m" })], observers: [observed.observer], clock });
  const labelled = parapet({ rules: [labelBot], observers: [observed.observer], clock });
  const plain = await limited.protect(request("192.0.2.1"));
  const bot = await labelled.protect(request("192.0.2.2", "/", { "x-test-bot": "scraper" }));
  await observed.flush();

  const [raw] = await driver.all<{ results: string }>("SELECT results FROM parapet_decisions WHERE id = ?", [plain.id]);
  assert.match(raw?.results ?? "", /^~/, "the compact form is what is stored");
  const stored = await observed.query!.decision(plain.id);
  assert.deepEqual(
    stored?.results.map((r) => [r.ruleId, r.ruleType, r.mode, r.conclusion]),
    plain.results.map((r) => [r.ruleId, r.ruleType, r.mode, r.conclusion]),
  );
  const storedBot = await observed.query!.decision(bot.id);
  assert.equal(storedBot?.botClass, "scraper");
  const botReason = storedBot?.results[0]?.reason as unknown as { botClass?: string } | undefined;
  assert.equal(botReason?.botClass, "scraper", "a bot rule's reason is kept whole");
  await observed.close();
});

test("through the log worker, several allowing rules are stored as one compact line with credentials fingerprinted", async () => {
  const driver = sqliteLog({ path: join(dir.path, "compact-rules.db") });
  const observed = observe({ store: driver, logger: recordingLogger(), handleSignals: false });
  const shieldLike: Rule = {
    type: "SHIELD",
    mode: "LIVE",
    cost: 20,
    evaluate: () => ({ conclusion: "ALLOW", reason: { type: "ALLOWED", message: "no attack found" } }),
  };
  const client = parapet({
    rules: [fixedWindow({ max: 100, window: "1m", characteristics: ["apiKey"] }), shieldLike],
    observers: [observed.observer],
  });
  const decision = await client.protect(request("192.0.2.9", "/", { "x-api-key": "sk_live_secret_value" }));
  await observed.flush();

  const [raw] = await driver.all<{ results: string }>("SELECT results FROM parapet_decisions WHERE id = ?", [decision.id]);
  assert.match(raw?.results ?? "", /^~/, "the compact form is what is stored");
  assert.doesNotMatch(raw?.results ?? "", /sk_live_secret_value/, "the API key is never stored");
  const stored = await observed.query!.decision(decision.id);
  assert.deepEqual(
    stored?.results.map((r) => [r.ruleId, r.ruleType, r.mode, r.conclusion, r.reason.type]),
    decision.results.map((r) => [r.ruleId, r.ruleType, r.mode, r.conclusion, r.reason.type]),
  );
  assert.match(stored?.results.find((r) => r.ruleType === "RATE_LIMIT")?.key ?? "", /apiKey=k_[0-9a-f]{16}/);
  await observed.close();
});
