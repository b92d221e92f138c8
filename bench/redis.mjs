#!/usr/bin/env node
// Distributed rate limiting on Redis: Parapet's RedisStore vs rate-limiter-flexible's
// RateLimiterRedis, same Redis, same ioredis options, same workload: a fixed window
// per key over 10,000 keys, same limit, 64 calls in flight. Each scenario warms both
// up, then runs timed rounds alternating A B, B A, … (so drift in machine load hits
// both alike) and reports the MEDIAN round of each: one noisy round cannot decide it.
// Scenarios:
//   all allowed             every call is a real atomic round trip (the headline)
//   all allowed, autopipe   same, both clients with ioredis enableAutoPipelining
//   50% over limit          half the keys are exhausted first; no local caches
//   50% over, local cache   Parapet's deny cache vs rate-limiter-flexible's
//                           inMemoryBlockOnConsumed (its equivalent)
// Usage: npm run bench:redis   (REDIS_URL=redis://127.0.0.1:6379, BENCH_SECONDS=2, BENCH_ROUNDS=3)
import { RedisStore } from "@parapet/redis";
import { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 64;
const KEYS = 10_000;
const WINDOW_S = 86_400;
const prefix = `parapet-bench:${process.pid}:`;

function connect(clientOptions) {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, ...clientOptions });
  client.on("error", () => undefined);
  return client;
}

// A timeout well above any latency here: the bench measures throughput, not failures.
function contenders({ scenario, limit, clientOptions, localCache }) {
  const parapetClient = connect(clientOptions);
  const flexibleClient = connect(clientOptions);
  const store = new RedisStore({
    client: parapetClient,
    prefix: `${prefix}${scenario}:p:`,
    timeoutMs: 5_000,
    denyCache: localCache ? { maxEntries: KEYS } : false,
  });
  const flexible = new RateLimiterRedis({
    storeClient: flexibleClient,
    keyPrefix: `${prefix}${scenario}:f`,
    points: limit,
    duration: WINDOW_S,
    // Blocks a key in memory once a call has been rejected, until its window ends.
    ...(localCache ? { inMemoryBlockOnConsumed: limit + 1 } : {}),
  });
  const params = (cost) => ({ limit, windowMs: WINDOW_S * 1000, cost });
  const one = params(1);
  return {
    clients: [parapetClient, flexibleClient],
    list: [
      {
        name: "parapet RedisStore",
        decide: async (key) => (await store.fixedWindow(key, one, 0)).allowed,
        exhaust: (key) => store.fixedWindow(key, params(limit), 0),
      },
      {
        name: "rate-limiter-flexible",
        decide: (key) =>
          flexible.consume(key).then(
            () => true,
            (error) => {
              if (error instanceof RateLimiterRes) return false;
              throw error;
            },
          ),
        exhaust: (key) => flexible.consume(key, limit),
      },
    ],
    close: () => store.close(),
  };
}

// CPU seconds Redis has used (INFO cpu): rounds never overlap, so a round's delta is its own cost.
async function redisCpuSeconds(client) {
  const info = await client.info("cpu");
  const field = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? Number.NaN);
  return field("used_cpu_user") + field("used_cpu_sys");
}

// Throughput on a shared 2-core machine moves with everyone else's load; CPU spent
// per decision (this process, and the Redis server) does not, so both are reported.
async function measure(decide, ms, admin) {
  const redisBefore = await redisCpuSeconds(admin);
  const cpuBefore = process.cpuUsage();
  const latencies = [];
  let denied = 0;
  let failures = 0;
  const deadline = performance.now() + ms;
  // Lane `seed` walks keys seed, seed+65, seed+128, …: consecutive calls of every
  // lane alternate between even (exhausted, in the over-limit scenarios) and odd keys,
  // so "50% over limit" holds per call, however fast a denial is answered.
  async function lane(seed) {
    for (let n = 0; performance.now() < deadline; n++) {
      const key = `client-${(seed + n * CONCURRENCY + (n % 2)) % KEYS}`;
      const started = performance.now();
      try {
        if (!(await decide(key))) denied++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, seed) => lane(seed)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const nodeUs = (cpu.user + cpu.system) / latencies.length;
  const redisUs = (((await redisCpuSeconds(admin)) - redisBefore) * 1e6) / latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    denied: denied / latencies.length,
    failures,
    nodeUs,
    redisUs,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function runScenario(scenario) {
  const { clients, list, close } = contenders(scenario);
  const admin = connect({});
  try {
    await Promise.all([...clients, admin].map((client) => client.connect()));
    // Over-limit keys: every even key used up in one costly call, so half the traffic is denied.
    if (scenario.overLimit) for (const { exhaust } of list) for (let k = 0; k < KEYS; k += 2) await exhaust(`client-${k}`);
    for (const { decide } of list) await measure(decide, 1_000, admin); // warm-up: connections, script cache, JIT
    const runs = new Map(list.map(({ name }) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const { name, decide } of round % 2 === 0 ? list : [...list].reverse())
        runs.get(name).push(await measure(decide, seconds * 1000, admin));
    }
    const summary = list.map(({ name }) => {
      const r = runs.get(name);
      return {
        name,
        perSecond: median(r.map((x) => x.perSecond)),
        p99: median(r.map((x) => x.p99)),
        p50: median(r.map((x) => x.p50)),
        denied: median(r.map((x) => x.denied)),
        failures: r.reduce((s, x) => s + x.failures, 0),
        nodeUs: median(r.map((x) => x.nodeUs)),
        redisUs: median(r.map((x) => x.redisUs)),
        spread: `${Math.round(Math.min(...r.map((x) => x.perSecond)))}-${Math.round(Math.max(...r.map((x) => x.perSecond)))}`,
      };
    });
    console.log(`\n${scenario.title}`);
    for (const r of summary) {
      console.log(
        `  ${r.name.padEnd(22)} ${Math.round(r.perSecond).toLocaleString("en-US").padStart(9)} decisions/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  denied ${(100 * r.denied).toFixed(0)}%  failures ${r.failures}  (rounds ${r.spread}/s)  CPU/decision: node ${r.nodeUs.toFixed(1)} us, redis ${r.redisUs.toFixed(1)} us`,
      );
    }
    const [ours, theirs] = summary;
    console.log(
      `  ratio parapet/rate-limiter-flexible: throughput ${(ours.perSecond / theirs.perSecond).toFixed(2)}x (median rounds), p99 ${ours.p99.toFixed(2)} vs ${theirs.p99.toFixed(2)} ms, CPU per decision ${((ours.nodeUs + ours.redisUs) / (theirs.nodeUs + theirs.redisUs)).toFixed(2)}x`,
    );
    return ours.perSecond / theirs.perSecond;
  } finally {
    await cleanup(admin).catch(() => undefined);
    await close();
    for (const client of [...clients, admin]) client.disconnect();
  }
}

async function cleanup(client) {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

const probe = connect({});
try {
  await probe.connect();
  await probe.ping();
} catch (error) {
  console.error(`bench:redis needs a Redis at ${url} (${error.message}). Start one with: redis-server --save "" --appendonly no`);
  process.exit(1);
} finally {
  probe.disconnect();
}

console.log(
  `Redis ${url}, fixed window, ${KEYS} keys, concurrency ${CONCURRENCY}, ${rounds} alternating rounds x ${seconds}s per contender`,
);
const scenarios = [
  { scenario: "allowed", title: "all allowed (headline)", limit: 1e9, clientOptions: {}, localCache: false, overLimit: false },
  {
    scenario: "autopipe",
    title: "all allowed, enableAutoPipelining on both clients",
    limit: 1e9,
    clientOptions: { enableAutoPipelining: true },
    localCache: false,
    overLimit: false,
  },
  {
    scenario: "over",
    title: "50% of traffic over its limit, no local cache",
    limit: 1e6,
    clientOptions: {},
    localCache: false,
    overLimit: true,
  },
  {
    scenario: "overcache",
    title: "50% over its limit: deny cache vs inMemoryBlockOnConsumed",
    limit: 1e6,
    clientOptions: {},
    localCache: true,
    overLimit: true,
  },
];
const only = process.env.BENCH_SCENARIO;
for (const scenario of scenarios) if (only === undefined || only === scenario.scenario) await runScenario(scenario);
