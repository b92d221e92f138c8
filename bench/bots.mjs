// Classification cost of detectBot's User-Agent step and of the full rule (no DNS), per request.
// Usage: npm run bench:bots   (goal: median <= 5 us per request)
import { existsSync, readFileSync } from "node:fs";
import { bundledCatalogue, createUserAgentClassifier, DEFAULT_BOT_POLICY, detectBot } from "@parapet/bots";
import { silentLogger } from "@parapet/core";

const corpusPath = "/work/shared/corpora/bots/dev.jsonl";
const fixturePath = new URL("../packages/bots/test/fixtures/human-user-agents.jsonl", import.meta.url);
const read = (path) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).ua);
const agents = [...read(fixturePath)];
if (existsSync(corpusPath)) agents.push(...read(corpusPath));
else console.log(`(${corpusPath} absent: timing the browser fixture only)`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const classify = createUserAgentClassifier(bundledCatalogue());
for (const ua of agents) classify(ua); // warm up the JIT
const ROUNDS = 15;
const perCall = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = process.hrtime.bigint();
  for (const ua of agents) classify(ua);
  perCall.push(Number(process.hrtime.bigint() - started) / agents.length / 1000);
}
console.log(
  `User-Agent classification: median ${median(perCall).toFixed(2)} us per request over ${agents.length} User-Agents x ${ROUNDS} rounds`,
);

// The whole rule as the pipeline calls it: classification plus header signals (no verifiable crawler, so no DNS).
const rule = detectBot(DEFAULT_BOT_POLICY);
const context = (ua) => ({
  request: { headers: { "user-agent": ua, accept: "*/*", "accept-language": "en-US", "accept-encoding": "gzip" }, ip: "203.0.113.9" },
  clock: { now: () => Date.now() },
  logger: silentLogger,
});
const contexts = agents.filter((ua) => !classify(ua).verifier).map(context);
for (const c of contexts) await rule.evaluate(c);
const rulePerCall = [];
for (let round = 0; round < ROUNDS; round++) {
  const started = process.hrtime.bigint();
  for (const c of contexts) await rule.evaluate(c);
  rulePerCall.push(Number(process.hrtime.bigint() - started) / contexts.length / 1000);
}
console.log(
  `detectBot rule (no DNS): median ${median(rulePerCall).toFixed(2)} us per request over ${contexts.length} requests x ${ROUNDS} rounds`,
);
