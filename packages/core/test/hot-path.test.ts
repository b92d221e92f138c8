import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createClientIpResolver,
  DECISION_ID_TAG,
  type Decision,
  decisionSequence,
  fixedWindow,
  formatDecisionId,
  parapet,
  silentLogger,
} from "../src/index.js";
import { isCanonicalIpv4 } from "../src/ip/parse.js";
import { createHeaderSink } from "../src/request/headers.js";
import { manualClock, plainRequest } from "./helpers.js";

// The request path skips work when it can (canonical IPv4 text, cached
// addresses, the last policy header). These tests pin that each shortcut gives
// the answer the full path would.

describe("request-path shortcuts", () => {
  it("treats only canonical dotted quads as already canonical", () => {
    for (const text of ["0.0.0.0", "10.0.0.1", "127.0.0.1", "255.255.255.255", "192.168.100.200"]) {
      assert.equal(isCanonicalIpv4(text), true, text);
    }
    for (const text of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      "1.2.3.256",
      "1.2.3.4:80",
      " 1.2.3.4",
      "1..2.3",
      "1.2.3.4.",
      "1234.1.1.1",
      "::ffff:1.2.3.4",
      "a.b.c.d",
    ]) {
      assert.equal(isCanonicalIpv4(text), false, text);
    }
  });

  it("resolves a socket address the same the first time and when cached", () => {
    const resolver = createClientIpResolver();
    const cases: [string, string][] = [
      ["::ffff:192.0.2.7", "192.0.2.7"],
      ["::FFFF:c000:0207", "192.0.2.7"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["[2001:db8::2]:443", "2001:db8::2"],
      ["1.2.3.4:8080", "1.2.3.4"],
      ["::ffff:01.2.3.4", "unknown"],
      ["not an ip", "unknown"],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [socketIp, expected] of cases) assert.equal(resolver.resolve(socketIp, {}), expected, `${socketIp} round ${round}`);
    }
  });

  it("keys IPv6 clients by prefix whether or not the address was seen before", () => {
    const resolver = createClientIpResolver({ ipv6Prefix: 48 });
    for (let round = 0; round < 2; round++) {
      assert.equal(resolver.keyOf("2001:db8:1:2::9"), "2001:db8:1::/48");
      assert.equal(resolver.keyOf("198.51.100.1"), "198.51.100.1");
    }
  });

  it("still believes trusted proxies: the socket cache is only used when no proxy is trusted", () => {
    const resolver = createClientIpResolver({ proxies: ["loopback"] });
    assert.equal(resolver.resolve("127.0.0.1", { "x-forwarded-for": "198.51.100.4" }), "198.51.100.4");
    assert.equal(resolver.resolve("127.0.0.1", { "x-forwarded-for": "198.51.100.5" }), "198.51.100.5");
  });

  it("stays correct when more addresses arrive than the cache holds", () => {
    const resolver = createClientIpResolver();
    for (let i = 1; i <= 3_000; i++) {
      const hex = i.toString(16);
      assert.equal(resolver.resolve(`2001:DB8::${hex.toUpperCase()}`, {}), `2001:db8::${hex}`);
    }
  });

  it("keeps header names that shadow Object.prototype as plain headers", () => {
    const sink = createHeaderSink();
    sink.add("Constructor", "a");
    sink.add("__proto__", "b");
    assert.equal(sink.headers.constructor, "a");
    const protoHeader = "__proto__"; // the header, not the accessor
    assert.equal(sink.headers[protoHeader], "b");
    assert.equal(sink.headers.tostring, undefined);
    assert.equal("hasOwnProperty" in sink.headers, false);
    assert.deepEqual(Object.keys(sink.headers), ["constructor", "__proto__"]);
  });

  it("sends each client its own policy when two clients with different rules alternate", async () => {
    const clock = manualClock(1_700_000_040_000);
    const a = parapet({ rules: [fixedWindow({ max: 10, window: "1m", name: "a" })], clock, logger: silentLogger });
    const b = parapet({ rules: [fixedWindow({ max: 5, window: "1m", name: "a" })], clock, logger: silentLogger });
    for (let i = 0; i < 2; i++) {
      assert.equal((await a.protect(plainRequest())).headers["RateLimit-Policy"], '"a";q=10;w=60');
      assert.equal((await b.protect(plainRequest())).headers["RateLimit-Policy"], '"a";q=5;w=60');
    }
  });

  it("gives each decision its own id, also within one millisecond", async () => {
    const p = parapet({ rules: [], clock: manualClock(1_700_000_000_000), logger: silentLogger });
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) ids.add((await p.protect(plainRequest())).id);
    assert.equal(ids.size, 100);
  });

  it("formats ids in the order decisions were made, whenever they are read", async () => {
    const p = parapet({ rules: [], clock: manualClock(1_700_000_000_000), logger: silentLogger });
    const decisions: Decision[] = [];
    for (let i = 0; i < 50; i++) decisions.push(await p.protect(plainRequest()));
    // Read newest first: the id text must not depend on when it is first read.
    const ids = decisions.map((_, i) => decisions[decisions.length - 1 - i]!.id).reverse();
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(decisions[7]!.id, ids[7], "an id reads the same twice");
    const serialized = JSON.parse(JSON.stringify(decisions[3]));
    assert.deepEqual(Object.keys(serialized).sort(), [
      "conclusion",
      "durationMs",
      "headers",
      "id",
      "ip",
      "reason",
      "results",
      "status",
      "timestamp",
    ]);
    assert.equal(serialized.id, ids[3]);
  });

  it("lets a decision log build the id text elsewhere: the same text as decision.id", async () => {
    const p = parapet({ rules: [], clock: manualClock(1_700_000_000_000), logger: silentLogger });
    for (let i = 0; i < 20; i++) {
      const decision = await p.protect(plainRequest());
      const sequence = decisionSequence(decision);
      assert.equal(typeof sequence, "number");
      // Formatted first from the parts (as a log worker would), then read: both must agree.
      const built = formatDecisionId(decision.timestamp, sequence as number, DECISION_ID_TAG);
      assert.equal(decision.id, built);
    }
    // Another tag (another thread's) gives another id: the tag is part of the text.
    const decision = await p.protect(plainRequest());
    assert.notEqual(formatDecisionId(decision.timestamp, decisionSequence(decision) as number, "zzzz"), decision.id);
    // Objects that only look like decisions have no sequence: their `id` must be read.
    assert.equal(decisionSequence({ ...decision, id: "x" } as unknown as Decision), undefined);
  });

  it("keys an IP-counted rule the same whether or not the address was seen, past the cache bound too", async () => {
    const clock = manualClock(1_700_000_040_000);
    const p = parapet({
      rules: [fixedWindow({ max: 2, window: "1m" }), fixedWindow({ max: 3, window: "1m" })],
      clock,
      logger: silentLogger,
    });
    const keysOf = async (ip: string) => (await p.protect(plainRequest(ip))).results.map((r) => r.key);
    assert.deepEqual(await keysOf("198.51.100.7"), [
      "RATE_LIMIT:fixed:60000:2|ip=198.51.100.7",
      "RATE_LIMIT:fixed:60000:3|ip=198.51.100.7",
    ]);
    assert.deepEqual(await keysOf("2001:db8:1:2::9"), [
      "RATE_LIMIT:fixed:60000:2|ip=2001:db8:1:2::/64",
      "RATE_LIMIT:fixed:60000:3|ip=2001:db8:1:2::/64",
    ]);
    // Fill the per-rule address map past its bound (16,384), then come back: counting goes on where it was.
    for (let i = 0; i < 20_000; i++) await keysOf(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.equal((await p.protect(plainRequest("198.51.100.7"))).conclusion, "ALLOW", "the second request is within max 2");
    const third = await p.protect(plainRequest("198.51.100.7"));
    assert.equal(third.conclusion, "DENY", "the third request from the same address is over max 2");
    assert.equal(third.results[0]!.key, "RATE_LIMIT:fixed:60000:2|ip=198.51.100.7");
  });

  it("answers isDenied/isAllowed/isErrored from the decision itself", async () => {
    const clock = manualClock(1_700_000_040_000);
    const p = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], clock, logger: silentLogger });
    const allowed = await p.protect(plainRequest());
    const denied = await p.protect(plainRequest());
    assert.deepEqual([allowed.isAllowed(), allowed.isDenied(), allowed.isErrored()], [true, false, false]);
    assert.deepEqual([denied.isAllowed(), denied.isDenied(), denied.isErrored()], [false, true, false]);
    assert.equal(JSON.parse(JSON.stringify(denied)).id, denied.id);
  });
});
