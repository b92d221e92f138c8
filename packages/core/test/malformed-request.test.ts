import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import {
  createClientIpResolver,
  fixedWindow,
  type NodeRequestLike,
  normalizeRequest,
  type ProtectableRequest,
  parapet,
  silentLogger,
} from "../src/index.js";
import { MAX_HEADER_COUNT } from "../src/request/headers.js";

const options = { resolver: createClientIpResolver(), maxBodyBytes: 1024, bodyTimeoutMs: 200 };
const p = parapet({ rules: [fixedWindow({ max: 1_000, window: "1m" })], logger: silentLogger });

describe("malformed requests give a clear result, never a crash", () => {
  it("notes a missing Host header", () => {
    const request = normalizeRequest({ url: "/", ip: "192.0.2.1" }, {}, options);
    assert.equal(request.host, "");
    assert.ok(request.anomalies.some((a) => /no Host/.test(a)));
  });

  for (const [url, path, query] of [
    ["http://", "/", ""],
    ["*", "/*", ""],
    ["%%%", "/%%%", ""],
    // A fragment is kept in the query: Fastify's router parses it as part of the query (see splitTarget).
    ["http://evil.test/a/b?x=1#frag", "/a/b", "x=1#frag"],
    ["/search#?q=1", "/search", "?q=1"],
    // No path: the query still is one (Express's req.query reads it), and a "/" inside it is no path.
    ["http://evil.test?q=%3Cscript%3E", "/", "q=%3Cscript%3E"],
    ["http://evil.test:80?a=1/b", "/", "a=1/b"],
    ["http://evil.test#x/y?z", "/", "x/y?z"],
    ["", "/", ""],
  ] as const) {
    it(`normalizes the target ${JSON.stringify(url)} to path ${path}`, async () => {
      const request = normalizeRequest({ url, headers: { host: "h" }, ip: "192.0.2.1" }, {}, options);
      assert.equal(request.path, path);
      assert.equal(request.query, query);
      const decision = await p.protect({ url, headers: { host: "h" }, ip: "192.0.2.1" });
      assert.equal(decision.conclusion, "ALLOW");
    });
  }

  it("flags a target that does not start with a slash", () => {
    const request = normalizeRequest({ url: "%%%", headers: { host: "h" } }, {}, options);
    assert.ok(request.anomalies.some((a) => /does not start with "\/"/.test(a)));
  });

  it("bounds thousands of headers and a 100 KB header", async () => {
    const headers: Record<string, string> = { host: "h" };
    for (let i = 0; i < 5_000; i++) headers[`x-h${i}`] = "v";
    const many = normalizeRequest({ url: "/", headers, ip: "192.0.2.1" }, {}, options);
    assert.ok(Object.keys(many.headers).length <= MAX_HEADER_COUNT);
    assert.ok(many.anomalies.some((a) => /headers exceed/.test(a)));

    const huge = normalizeRequest({ url: "/", headers: { host: "h", "x-big": "a".repeat(100_000) }, ip: "192.0.2.1" }, {}, options);
    assert.equal(huge.headers["x-big"], undefined);
    assert.equal(huge.headers.host, "h", "headers before the oversized one are kept");
    const decision = await p.protect({ url: "/", headers: { "x-big": "a".repeat(100_000) }, ip: "192.0.2.1" });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("keeps the client-IP header past the header bounds, wherever the junk sorts", async () => {
    // Web Headers iterate sorted by name: 40 headers "a-…" of 2 KB came before cf-connecting-ip and pushed it out;
    // the IP became "unknown" and the limit failed open (ERROR) for the client it should deny.
    const onCloudflare = parapet({ rules: [fixedWindow({ max: 1, window: "1m" })], platform: "cloudflare", logger: silentLogger });
    const request = () => {
      const headers = new Headers({ host: "h", "cf-connecting-ip": "203.0.113.7", "content-type": "text/plain" });
      for (let i = 0; i < 40; i++) headers.set(`a-${i}`, "x".repeat(2_000));
      return new Request("http://h.test/", { headers });
    };
    const conclusions = [];
    for (let i = 0; i < 3; i++) {
      const decision = await onCloudflare.protect(request());
      assert.equal(decision.ip, "203.0.113.7");
      conclusions.push(decision.conclusion);
    }
    assert.deepEqual(conclusions, ["ALLOW", "DENY", "DENY"]);
    const normalized = normalizeRequest(request(), {}, options);
    assert.ok(normalized.anomalies.some((a) => /headers exceed/.test(a)));
    assert.equal(normalized.headers["a-39"], undefined, "junk past the bounds is still dropped");
    assert.equal(normalized.headers["content-type"], "text/plain");
    assert.equal(normalized.header("cf-connecting-ip"), "203.0.113.7");
  });

  for (const input of [null, undefined, 42, "GET / HTTP/1.1", true, [] as unknown]) {
    it(`answers protect(${JSON.stringify(input) ?? "undefined"}) with a decision`, async () => {
      const decision = await p.protect(input as ProtectableRequest);
      // Without a client address there is nothing to count by: an ERROR naming the cause, failing open.
      assert.equal(decision.conclusion, "ERROR");
      assert.equal(decision.isDenied(), false);
      assert.match(decision.reason.message, /client IP is unknown/);
    });
  }

  it("treats headers that are not strings as absent", () => {
    const request = normalizeRequest(
      { url: "/", headers: { host: "h", "x-n": 5 as never, "x-list": ["a", 1 as never, "b"] } },
      {},
      options,
    );
    assert.equal(request.headers["x-n"], undefined);
    assert.equal(request.headers["x-list"], "a, b");
  });

  it("resolves the body of an IncomingMessage-like object that errors, without rejecting", async () => {
    const emitter = new EventEmitter();
    const stream = Object.assign(emitter, {
      method: "POST",
      url: "/upload",
      headers: { host: "h", "content-length": "100", "content-type": "application/json" },
      socket: { remoteAddress: "192.0.2.1" },
      complete: false,
      read: () => null,
      unshift: () => {},
    }) as unknown as NodeRequestLike;
    const request = normalizeRequest(stream, {}, options);
    const body = request.body();
    setImmediate(() => emitter.emit("error", new Error("socket hang up")));
    const content = await body;
    assert.ok(content === undefined || content.bytes.length === 0);
    assert.equal(request.method, "POST");
    assert.equal(request.ip, "192.0.2.1");
  });

  it("gives up on a body that never arrives within bodyTimeoutMs", async () => {
    const stream = Object.assign(new EventEmitter(), {
      headers: { host: "h", "transfer-encoding": "chunked" },
      socket: { remoteAddress: "192.0.2.1" },
      complete: false,
      read: () => null,
      unshift: () => {},
    }) as unknown as NodeRequestLike;
    const started = Date.now();
    const content = await normalizeRequest(stream, {}, options).body();
    assert.equal(content?.truncated, true);
    assert.ok(Date.now() - started < 5_000, "does not hang");
  });

  it("flags an unusual method and caps its length", () => {
    const request = normalizeRequest({ method: "X".repeat(1_000), url: "/", headers: { host: "h" } }, {}, options);
    assert.equal(request.method.length, 16);
    assert.ok(request.anomalies.some((a) => /unusual method/.test(a)));
  });
});
