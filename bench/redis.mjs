#!/usr/bin/env node
// Distributed rate limiting on Redis: Parapet's RedisStore vs rate-limiter-flexible's
// RateLimiterRedis, same Redis, same client library and options, same workload:
// a fixed window per key over 10,000 keys (all allowed, so each call is a real
// atomic round trip), 64 calls in flight, a warm-up, then timed rounds alternating
// between the two. Prints decisions/s, p50/p99 and the ratio.
// Usage: npm run bench:redis   (REDIS_URL=redis://127.0.0.1:6379, BENCH_SECONDS=4)
import { RedisStore } from "@parapet/redis";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = 64;
const KEYS = 10_000;
const ROUNDS = 2;
const prefix = `parapet-bench:${process.pid}:`;

function connect() {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on("error", () => undefined);
  return client;
}

async function measure(name, decide, ms) {
  const latencies = [];
  let calls = 0;
  let failures = 0;
  const deadline = performance.now() + ms;
  async function lane(seed) {
    let i = seed;
    while (performance.now() < deadline) {
      const key = `client-${i % KEYS}`;
      i += CONCURRENCY;
      const started = performance.now();
      try {
        await decide(key);
      } catch {
        failures++;
      }
      latencies.push(performance.now() - started);
      calls++;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, seed) => lane(seed)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { name, perSecond: calls / elapsed, p50: at(0.5), p99: at(0.99), failures };
}

async function cleanup(client) {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

const parapetClient = connect();
const flexibleClient = connect();
try {
  await Promise.all([parapetClient.connect(), flexibleClient.connect()]);
} catch (error) {
  console.error(`bench:redis needs a Redis at ${url} (${error.message}). Start one with: redis-server --save "" --appendonly no`);
  process.exit(1);
}

// A timeout well above any latency here: the bench measures throughput, not failures.
const store = new RedisStore({ client: parapetClient, prefix: `${prefix}p:`, timeoutMs: 5_000, denyCache: false });
const flexible = new RateLimiterRedis({ storeClient: flexibleClient, keyPrefix: `${prefix}f`, points: 1e9, duration: 86_400 });
const contenders = [
  ["parapet RedisStore", (key) => store.fixedWindow(key, { limit: 1e9, windowMs: 86_400_000, cost: 1 }, 0)],
  ["rate-limiter-flexible", (key) => flexible.consume(key)],
];

console.log(`Redis ${url}, fixed window, ${KEYS} keys, concurrency ${CONCURRENCY}, ${ROUNDS} x ${seconds}s per contender`);
for (const [name, decide] of contenders) await measure(name, decide, 1_000); // warm-up: connections, script cache
const totals = new Map(contenders.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, decide] of round % 2 === 0 ? contenders : [...contenders].reverse()) {
    totals.get(name).push(await measure(name, decide, seconds * 1000));
  }
}

const summary = [...totals].map(([name, runs]) => ({
  name,
  perSecond: runs.reduce((s, r) => s + r.perSecond, 0) / runs.length,
  p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
  p99: runs.reduce((s, r) => s + r.p99, 0) / runs.length,
  failures: runs.reduce((s, r) => s + r.failures, 0),
}));
for (const r of summary) {
  console.log(
    `${r.name.padEnd(24)} ${Math.round(r.perSecond).toLocaleString("en-US").padStart(9)} decisions/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   failures ${r.failures}`,
  );
}
const [ours, theirs] = summary;
console.log(
  `ratio parapet/rate-limiter-flexible: throughput ${(ours.perSecond / theirs.perSecond).toFixed(2)}x, p99 ${(ours.p99 / theirs.p99).toFixed(2)}x`,
);

await cleanup(parapetClient);
await store.close();
parapetClient.disconnect();
flexibleClient.disconnect();
