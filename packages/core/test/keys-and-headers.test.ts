import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  createClientIpResolver,
  type Decision,
  ErrorCodes,
  type ErrorReason,
  fixedWindow,
  type Logger,
  MemoryStore,
  ParapetError,
  parapet,
  parseDuration,
  type Rule,
  silentLogger,
  slidingWindow,
  tokenBucket,
} from "../src/index.js";
import { manualClock, plainRequest } from "./helpers.js";

const statusesOf = async (p: ReturnType<typeof parapet>, calls: number, extra?: Record<string, unknown>) => {
  const conclusions: string[] = [];
  for (let i = 0; i < calls; i++) conclusions.push((await p.protect(plainRequest(), extra)).conclusion);
  return conclusions;
};

describe("rule state keys", () => {
  it("refuses two rules of one client that would count on the same state", () => {
    const twice = () =>
      parapet({
        rules: [fixedWindow({ name: "api", max: 3, window: "1m" }), fixedWindow({ name: "api", max: 5, window: "1m" })],
        logger: silentLogger,
      });
    assert.throws(twice, (error: unknown) => error instanceof ParapetError && /same state/.test(error.message));
    const base = parapet({ rules: [tokenBucket({ name: "b", refillRate: 1, interval: "1s", capacity: 2 })], logger: silentLogger });
    assert.throws(() => base.withRule(tokenBucket({ name: "b", refillRate: 5, interval: "1s", capacity: 9 })), /same state/);
  });

  it("keeps one name's fixed and sliding windows, and its other windows, apart", async () => {
    const p = parapet({
      rules: [
        fixedWindow({ name: "api", max: 3, window: "1m" }),
        slidingWindow({ name: "api", max: 3, window: "1m" }),
        fixedWindow({ name: "api", max: 100, window: "1h" }),
      ],
      clock: manualClock(),
      logger: silentLogger,
    });
    // Before, each algorithm reset the other's slot on the memory store and nothing was ever limited.
    assert.deepEqual(await statusesOf(p, 5), ["ALLOW", "ALLOW", "ALLOW", "DENY", "DENY"]);
  });

  it("starts a named window afresh when a deploy changes its length (no old reset time inherited)", async () => {
    const store = new MemoryStore();
    const clock = manualClock();
    const before = parapet({ rules: [fixedWindow({ name: "api", max: 2, window: "1d" })], store, clock, logger: silentLogger });
    await statusesOf(before, 3);
    const after = parapet({ rules: [fixedWindow({ name: "api", max: 2, window: "1m" })], store, clock, logger: silentLogger });
    const decision = await after.protect(plainRequest());
    assert.equal(decision.conclusion, "ALLOW");
    assert.match(decision.headers.RateLimit ?? "", /t=([1-5]?\d|60)$/);
  });

  it("hashes long values instead of cutting them, so tokens sharing a long prefix stay apart", async () => {
    const prefix = "eyJhbGciOiJIUzI1NiJ9.".padEnd(270, "x");
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m", characteristics: ["apiKey"] })], logger: silentLogger });
    assert.equal((await p.protect(plainRequest("198.51.100.1"), { apiKey: `${prefix}-alice` })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest("198.51.100.2"), { apiKey: `${prefix}-bob` })).conclusion, "ALLOW");
    const again = await p.protect(plainRequest("198.51.100.3"), { apiKey: `${prefix}-alice` });
    assert.equal(again.conclusion, "DENY");
    assert.ok((again.results[0]?.key ?? "").length < 300, "the key stays bounded");
  });

  it("a shortened key keeps nothing of the long value alive: 10,000 clients with 16 KB API keys cost a few MB", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const p = parapet({ rules: [fixedWindow({ max: 100, window: "1h", characteristics: ["apiKey"] })], logger: silentLogger });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      // A flat string of its own per request, as a header value is.
      const apiKey = Buffer.alloc(16_000, `${i}-key|`).toString("latin1");
      await p.protect({ method: "GET", url: "/", ip: "198.51.100.1", headers: { "x-api-key": apiKey } });
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // The store is still in use, so the collector could not take its keys.
    assert.equal((await p.protect(plainRequest(), { apiKey: "after" })).conclusion, "ALLOW");
    assert.ok(grown < 40_000_000, `the store kept ${(grown / 1e6).toFixed(1)} MB alive; slices of the values kept 200 MB`);
  });

  it("escapes the pair separator, so no value can spell another characteristic", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m", characteristics: ["userId", "apiKey"] })], logger: silentLogger });
    assert.equal((await p.protect(plainRequest(), { userId: "alice|apiKey=b", apiKey: "c" })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest(), { userId: "alice", apiKey: "b|apiKey=c" })).conclusion, "ALLOW");
  });

  it("takes no object as a characteristic value (String() made every object one client)", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m", characteristics: ["userId"] })], logger: silentLogger });
    const decision = await p.protect(plainRequest(), { userId: { id: 1 } });
    assert.equal(decision.conclusion, "ERROR");
    assert.equal((decision.reason as ErrorReason).code, ErrorCodes.CHARACTERISTIC_MISSING);
    assert.match(decision.reason.message, /a string or a number/);
    // Numbers, booleans and bigints have faithful text and still count.
    assert.equal((await p.protect(plainRequest(), { userId: 42 })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest(), { userId: 42n })).conclusion, "DENY");
  });
});

describe("RateLimit headers and DRY_RUN", () => {
  it("leaves DRY_RUN rules out of the headers: a watched rule must not make clients back off", async () => {
    const p = parapet({
      rules: [fixedWindow({ name: "live", max: 100, window: "1h" }), fixedWindow({ name: "dry", max: 1, window: "1h", mode: "DRY_RUN" })],
      logger: silentLogger,
    });
    await p.protect(plainRequest());
    const decision = await p.protect(plainRequest());
    assert.equal(decision.conclusion, "ALLOW");
    assert.equal(decision.headers["RateLimit-Policy"], '"live";q=100;w=3600');
    assert.match(decision.headers.RateLimit ?? "", /^"live";r=98;/);
    const allDry = parapet({ rules: [fixedWindow({ max: 1, window: "1h" })], mode: "DRY_RUN", logger: silentLogger });
    await allDry.protect(plainRequest());
    assert.deepEqual((await allDry.protect(plainRequest())).headers, {});
  });

  it("takes Retry-After from the denying rule, never from a DRY_RUN one", async () => {
    const p = parapet({
      rules: [
        fixedWindow({ name: "minute", max: 1, window: "1m" }),
        fixedWindow({ name: "hourly", max: 1, window: "1h", mode: "DRY_RUN" }),
      ],
      clock: manualClock(1_700_000_000_000),
      logger: silentLogger,
    });
    await p.protect(plainRequest());
    const denied = await p.protect(plainRequest());
    assert.equal(denied.status, 429);
    assert.ok(Number(denied.headers["Retry-After"]) <= 60, `Retry-After ${denied.headers["Retry-After"]} comes from the minute rule`);
  });

  it("waits for a quota an earlier rule just used up, so the retry is not denied again", async () => {
    // Three per hour, two per minute: the third request spends the hourly quota's last unit, then the minute rule denies it.
    const clock = manualClock(1_700_000_000_000);
    const p = parapet({
      rules: [fixedWindow({ name: "hourly", max: 3, window: "1h" }), fixedWindow({ name: "minute", max: 2, window: "1m" })],
      clock,
      logger: silentLogger,
    });
    await statusesOf(p, 2);
    const denied = await p.protect(plainRequest());
    assert.equal(denied.status, 429);
    const retryAfter = Number(denied.headers["Retry-After"]);
    assert.ok(retryAfter > 60, `Retry-After ${retryAfter} must cover the hourly reset`);
    clock.advance(retryAfter * 1000);
    assert.equal((await p.protect(plainRequest())).conclusion, "ALLOW");
  });
});

describe("client IP behind proxies and platforms", () => {
  it("reads only the header the proxies write: a client-sent Forwarded cannot replace X-Forwarded-For", () => {
    const resolver = createClientIpResolver({ proxies: ["loopback"] });
    // nginx appends the real client to X-Forwarded-For and passes the client's own Forwarded on untouched.
    const headers = { "x-forwarded-for": "198.51.100.23", forwarded: "for=203.0.113.99" };
    assert.equal(resolver.resolve("127.0.0.1", headers), "198.51.100.23");
    const rfc = createClientIpResolver({ proxies: ["loopback"], forwardedHeader: "forwarded" });
    assert.equal(rfc.resolve("127.0.0.1", headers), "203.0.113.99");
    assert.throws(() => createClientIpResolver({ forwardedHeader: "x-real-ip" as "forwarded" }), /forwardedHeader/);
  });

  it("on Google Cloud takes the client the load balancer appended, not the client's own leftmost entry", () => {
    const resolver = createClientIpResolver({ platform: "google-cloud" });
    // Load balancer: <what the client sent>, <client>, <forwarding rule address>.
    assert.equal(resolver.resolve("35.191.0.1", { "x-forwarded-for": "1.2.3.4, 203.0.113.7, 34.1.1.1" }), "203.0.113.7");
    // Cloud Run replaces the header with the client alone.
    assert.equal(resolver.resolve("169.254.1.1", { "x-forwarded-for": "203.0.113.8" }), "203.0.113.8");
  });
});

describe("observers and shared clients", () => {
  it("logs an async observer's rejection instead of leaving it unhandled", async () => {
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => errors.push(message) };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const p = parapet({
        rules: [fixedWindow({ max: 10, window: "1m" })],
        logger,
        observers: [
          {
            onDecision: async (_decision: Decision) => {
              throw new Error("db down");
            },
            onAuthEvent: async () => {
              throw new Error("db down");
            },
          },
        ],
      });
      assert.equal((await p.protect(plainRequest())).conclusion, "ALLOW");
      p.reportAuthFailure(plainRequest(), { user: "alice" });
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      assert.equal(errors.length, 2);
      assert.match(errors.join("\n"), /decision observer rejected[\s\S]*auth event observer rejected/);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("closing a withRule() client leaves the shared store open for its siblings", async () => {
    let closed = 0;
    const store = new MemoryStore();
    const tracked = {
      fixedWindow: store.fixedWindow.bind(store),
      slidingWindow: store.slidingWindow.bind(store),
      tokenBucket: store.tokenBucket.bind(store),
      close: async () => {
        closed++;
      },
    };
    const base = parapet({ rules: [], store: tracked, logger: silentLogger });
    const login = base.withRule(fixedWindow({ name: "login", max: 2, window: "1m" }));
    const temporary = base.withRule(fixedWindow({ name: "temp", max: 5, window: "1m" }));
    await temporary.close();
    assert.equal(closed, 0);
    assert.deepEqual(await statusesOf(login, 3), ["ALLOW", "ALLOW", "DENY"]);
    await base.close();
    assert.equal(closed, 1);
  });
});

describe("option errors say what was passed", () => {
  it("shows Infinity and NaN as themselves, and a window that is too long as too long", () => {
    assert.throws(() => parseDuration(Number.POSITIVE_INFINITY), /got Infinity/);
    assert.throws(() => parseDuration(Number.NaN), /got NaN/);
    assert.throws(() => fixedWindow({ max: 1, window: "999999999999999d" }), /at most 1,000 days/);
    const rule: Rule = fixedWindow({ max: 1, window: "1000d" });
    assert.equal(rule.type, "RATE_LIMIT");
  });
});
