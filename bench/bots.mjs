// Classification cost of detectBot's User-Agent step and of the full rule (no DNS), per request.
// Usage: npm run bench:bots   (goal: median <= 5 us per request)
// Each figure is the best of several rounds after a warm-up; per-request times come from timing batches of
// BATCH calls (one hrtime read per call would cost as much as the call), so "p99" is the p99 over batches.
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import {
  bundledCatalogue,
  bundledIpRanges,
  createUserAgentClassifier,
  DEFAULT_BOT_POLICY,
  detectBot,
  inPublishedRanges,
} from "@parapet/bots";
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

const ROUNDS = 7;
const BATCH = 16;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Runs `call` over every input ROUNDS times; returns the round with the lowest median, in us per request. */
async function measure(inputs, call, isAsync) {
  for (let warm = 0; warm < 3; warm++) for (const input of inputs) isAsync ? await call(input) : call(input);
  let best;
  for (let round = 0; round < ROUNDS; round++) {
    const perRequest = [];
    for (let from = 0; from + BATCH <= inputs.length; from += BATCH) {
      const started = process.hrtime.bigint();
      if (isAsync) for (let i = from; i < from + BATCH; i++) await call(inputs[i]);
      else for (let i = from; i < from + BATCH; i++) call(inputs[i]);
      perRequest.push(Number(process.hrtime.bigint() - started) / BATCH / 1000);
    }
    const mean = perRequest.reduce((sum, t) => sum + t, 0) / perRequest.length;
    perRequest.sort((a, b) => a - b);
    const figures = { median: percentile(perRequest, 0.5), p99: percentile(perRequest, 0.99), mean };
    if (!best || figures.median < best.median) best = figures;
  }
  return best;
}

const report = (label, { median, p99, mean }, count) =>
  console.log(
    `${label.padEnd(36)} median ${median.toFixed(2)} us  p99 ${p99.toFixed(2)} us  mean ${mean.toFixed(2)} us  (${count} requests, best of ${ROUNDS})`,
  );

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; goal: median <= 5 us`,
);
const uncached = createUserAgentClassifier(bundledCatalogue());
const cached = createUserAgentClassifier(bundledCatalogue(), { cacheSize: 4096 });
report("User-Agent classification (uncached)", await measure(agents, uncached, false), agents.length);
report("User-Agent classification (cached)", await measure(agents, cached, false), agents.length);

// The whole rule as the pipeline calls it: classification plus header signals (no verifiable crawler, so no DNS).
const context = (ua, ip = "203.0.113.9") => {
  const headers = { "user-agent": ua, accept: "*/*", "accept-language": "en-US", "accept-encoding": "gzip" };
  return { request: { headers, header: (name) => headers[name], ip }, clock: { now: () => Date.now() }, logger: silentLogger };
};
const contexts = agents.filter((ua) => !uncached(ua).verifier).map(context);
const ruleUncached = detectBot({ ...DEFAULT_BOT_POLICY, userAgentCacheSize: 0 });
const ruleCached = detectBot({ ...DEFAULT_BOT_POLICY, userAgentCacheSize: 4096 });
report("detectBot rule, no DNS (uncached)", await measure(contexts, (c) => ruleUncached.evaluate(c), true), contexts.length);
report("detectBot rule, no DNS (cached)", await measure(contexts, (c) => ruleCached.evaluate(c), true), contexts.length);

// Published-range verification: a Googlebot claim from addresses inside and outside Google's list, decided
// without DNS when inside (outside falls back to DNS, so only the lookup itself is timed for those).
const ranges = bundledIpRanges();
const addresses = [];
for (let i = 0; i < 256; i++)
  addresses.push(`66.249.${64 + (i % 16)}.${i}`, `203.0.${i}.7`, `2001:4860:4801:${(i % 200).toString(16)}::${i}`);
report(
  "published-range lookup (google)",
  await measure(addresses, (ip) => inPublishedRanges(ranges, "google", ip), false),
  addresses.length,
);
const googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const noDns = { reverse: () => Promise.reject(new Error("bench: no DNS")), resolve: () => Promise.reject(new Error("bench: no DNS")) };
const ruleRanges = detectBot({ ...DEFAULT_BOT_POLICY, resolver: noDns });
const insideContexts = addresses.filter((ip) => inPublishedRanges(ranges, "google", ip)).map((ip) => context(googlebot, ip));
report("detectBot, Googlebot by IP range", await measure(insideContexts, (c) => ruleRanges.evaluate(c), true), insideContexts.length);
