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
    // One name in one client is refused now (see "names each policy once"); on one store, clients still meet.
    const store = new MemoryStore();
    const clock = manualClock();
    const clientWith = (rule: Rule) => parapet({ rules: [rule], store, clock, logger: silentLogger });
    const fixed = clientWith(fixedWindow({ name: "api", max: 3, window: "1m" }));
    const sliding = clientWith(slidingWindow({ name: "api", max: 3, window: "1m" }));
    const hourly = clientWith(fixedWindow({ name: "api", max: 100, window: "1h" }));
    const seen: string[][] = [[], [], []];
    for (let i = 0; i < 5; i++) {
      for (const [index, client] of [fixed, sliding, hourly].entries())
        seen[index]?.push((await client.protect(plainRequest())).conclusion);
    }
    // Before, each algorithm reset the other's slot on the memory store and nothing was ever limited.
    assert.deepEqual(seen, [
      ["ALLOW", "ALLOW", "ALLOW", "DENY", "DENY"],
      ["ALLOW", "ALLOW", "ALLOW", "DENY", "DENY"],
      ["ALLOW", "ALLOW", "ALLOW", "ALLOW", "ALLOW"],
    ]);
  });

  it("shares an unnamed limit's counter among alike rules, even made per request; a name sets a route's apart", async () => {
    const base = parapet({ rules: [], logger: silentLogger });
    // Keyed by its parameters, as a fingerprint: a rule made inside a handler, anew for each request, still counts.
    const perRequest = () => base.withRule(fixedWindow({ max: 2, window: "1m" }));
    assert.deepEqual(await statusesOf(perRequest(), 1), ["ALLOW"]);
    assert.deepEqual(await statusesOf(perRequest(), 1), ["ALLOW"]);
    assert.deepEqual(await statusesOf(perRequest(), 1), ["DENY"]);
    // A name is a counter of its own, shared by that name across routes.
    const login = base.withRule(fixedWindow({ max: 2, window: "1m", name: "login" }));
    const signup = base.withRule(fixedWindow({ max: 2, window: "1m", name: "login" }));
    const other = base.withRule(fixedWindow({ max: 2, window: "1m", name: "search" }));
    assert.deepEqual(await statusesOf(login, 1), ["ALLOW"]);
    assert.deepEqual(await statusesOf(signup, 1), ["ALLOW"]);
    const third = await signup.protect(plainRequest());
    assert.equal(third.conclusion, "DENY");
    assert.equal(third.results.at(-1)?.ruleId, "RATE_LIMIT:login");
    assert.deepEqual(await statusesOf(other, 2), ["ALLOW", "ALLOW"]);
    // The base client's rule is one counter in every client derived from it (3 counted, 4 allowed).
    const perIp = fixedWindow({ max: 4, window: "1m" });
    const site = parapet({ rules: [perIp], logger: silentLogger });
    assert.deepEqual(await statusesOf(site.withRule(fixedWindow({ max: 9, window: "1m", name: "a" })), 3), ["ALLOW", "ALLOW", "ALLOW"]);
    assert.deepEqual(await statusesOf(site, 2), ["ALLOW", "DENY"]);
  });

  it("takes two alike unnamed limits that count by different characteristics (their keys differ)", async () => {
    const p = parapet({
      rules: [fixedWindow({ max: 1, window: "1m" }), fixedWindow({ max: 1, window: "1m", characteristics: ["userId"] })],
      logger: silentLogger,
    });
    // Before: refused as "the same state", though `|ip=…` and `|userId=…` never meet.
    assert.deepEqual(await statusesOf(p, 1, { userId: "u1" }), ["ALLOW"]);
    assert.equal((await p.protect(plainRequest("198.51.100.9"), { userId: "u2" })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest("198.51.100.9"), { userId: "u1" })).conclusion, "DENY");
    // The same counting twice is still refused: one rule object twice, or an explicit ["ip"] beside the default.
    const once = fixedWindow({ max: 1, window: "1m" });
    assert.throws(() => parapet({ rules: [once, once], logger: silentLogger }), /same state/);
    assert.throws(() => parapet({ rules: [once], logger: silentLogger }).withRule(once), /same state/);
    assert.throws(
      () =>
        parapet({
          rules: [
            fixedWindow({ name: "x", max: 1, window: "1m" }),
            fixedWindow({ name: "x", max: 2, window: "1m", characteristics: ["ip"] }),
          ],
        }),
      /same state/,
    );
  });

  it("names each policy once in the RateLimit headers", async () => {
    const p = parapet({
      rules: [fixedWindow({ max: 10, window: "1m" }), fixedWindow({ max: 100, window: "1m", characteristics: ["userId"] })],
      clock: manualClock(),
      logger: silentLogger,
    });
    const decision = await p.protect(plainRequest(), { userId: "u1" });
    // Before: "fixed-60s" twice, and `RateLimit: "fixed-60s";…` could mean either.
    assert.equal(decision.headers["RateLimit-Policy"], '"fixed-60s";q=10;w=60, "fixed-60s-2";q=100;w=60');
    assert.deepEqual(
      decision.results.map((result) => result.ruleId),
      ["RATE_LIMIT:fixed-60s", "RATE_LIMIT:fixed-60s-2"],
    );
    // A generated name steps aside for one the app chose.
    const named = parapet({
      rules: [fixedWindow({ max: 5, window: "1m" }), fixedWindow({ name: "fixed-60s", max: 9, window: "1h" })],
      logger: silentLogger,
    });
    assert.equal((await named.protect(plainRequest())).headers["RateLimit-Policy"], '"fixed-60s-2";q=5;w=60, "fixed-60s";q=9;w=3600');
    // Two LIVE limits the app named alike are refused; a DRY_RUN one beside a LIVE one is not in the headers.
    assert.throws(
      () =>
        parapet({ rules: [fixedWindow({ name: "api", max: 10, window: "1m" }), fixedWindow({ name: "api", max: 1000, window: "1h" })] }),
      (error: unknown) => error instanceof ParapetError && /named "api"/.test(error.message),
    );
    const base = parapet({ rules: [fixedWindow({ name: "api", max: 10, window: "1m" })], logger: silentLogger });
    assert.throws(() => base.withRule(slidingWindow({ name: "api", max: 10, window: "1m" })), /named "api"/);
    const trial = base.withRule(slidingWindow({ name: "api", max: 8, window: "1m", mode: "DRY_RUN" }));
    assert.equal((await trial.protect(plainRequest())).headers["RateLimit-Policy"], '"api";q=10;w=60');
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
    assert.equal(decision.conclusion, "DENY");
    assert.equal(decision.reason.type, "INVALID_CHARACTERISTIC");
    assert.match(decision.reason.message, /"userId" is an object, not a string or a number/);
    // Numbers, booleans and bigints have faithful text and still count.
    assert.equal((await p.protect(plainRequest(), { userId: 42 })).conclusion, "ALLOW");
    assert.equal((await p.protect(plainRequest(), { userId: 42n })).conclusion, "DENY");
  });
});

describe("characteristic values the client shapes", () => {
  it("denies an array or object where a value was expected: failing open let the client switch a per-account limit off", async () => {
    const login = parapet({ rules: [fixedWindow({ max: 2, window: "1m", characteristics: ["userId"] })], logger: silentLogger });
    // `protect(req, { userId: req.body.user })` with the body {"user":["victim"]}: before, an ERROR let every attempt through.
    for (const shape of [["victim"], [["victim"]], { $ne: null }, ["victim", 1]]) {
      const decision = await login.protect(plainRequest(), { userId: shape });
      assert.equal(decision.conclusion, "DENY", JSON.stringify(shape));
      assert.equal(decision.isDenied(), true);
      assert.equal(decision.status, 403);
      assert.match(decision.reason.message, /"userId" is an (array|object)/);
    }
    // The account's own counter is untouched, and a plain value still counts.
    assert.deepEqual(await statusesOf(login, 3, { userId: "victim" }), ["ALLOW", "ALLOW", "DENY"]);
    // Absent values name no account: they stay a missing characteristic (an ERROR, under onError).
    for (const absent of [undefined, null, ""]) {
      const decision = await login.protect(plainRequest(), { userId: absent });
      assert.equal((decision.reason as ErrorReason).code, ErrorCodes.CHARACTERISTIC_MISSING, String(absent));
    }
    // In DRY_RUN the denial is reported, not enforced.
    const watched = parapet({
      rules: [fixedWindow({ max: 2, window: "1m", characteristics: ["userId"], mode: "DRY_RUN" })],
      logger: silentLogger,
    });
    const dry = await watched.protect(plainRequest(), { userId: ["victim"] });
    assert.equal(dry.isDenied(), false);
    assert.equal(dry.results[0]?.conclusion, "DENY");
  });

  it("does not replace an array apiKey with the x-api-key header the same client sends", async () => {
    const p = parapet({ rules: [fixedWindow({ max: 5, window: "1m", characteristics: ["apiKey"] })], logger: silentLogger });
    const request = plainRequest(undefined, { headers: { host: "example.test", "x-api-key": "fresh-key" } });
    assert.equal((await p.protect(request, { apiKey: ["k1"] })).conclusion, "DENY");
    assert.equal((await p.protect(request)).conclusion, "ALLOW", "an absent apiKey still falls back to the header");
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
