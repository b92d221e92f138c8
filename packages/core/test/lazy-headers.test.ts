import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClientIpResolver, type NodeRequestLike, normalizeRequest } from "../src/index.js";
import { MAX_HEADER_COUNT } from "../src/request/headers.js";

const limits = { maxBodyBytes: 1024, bodyTimeoutMs: 200 };

/** An IncomingMessage-shaped request whose raw header array counts how often it is read. */
function countingNodeRequest(rawHeaders: string[], remoteAddress: string | undefined, url = "/a?b=1") {
  const reads = { count: 0 };
  const watched = new Proxy(rawHeaders, {
    get(target, property, receiver) {
      if (typeof property === "string" && /^\d+$/.test(property)) reads.count++;
      return Reflect.get(target, property, receiver);
    },
  });
  const request = {
    method: "GET",
    url,
    rawHeaders: watched,
    headers: {},
    socket: remoteAddress === undefined ? {} : { remoteAddress },
    read() {},
    on() {
      return request;
    },
    unshift() {},
  } as unknown as NodeRequestLike;
  return { request, reads };
}

describe("headers are normalized lazily", () => {
  it("a peer-only resolver says it needs no headers; a proxy or platform one says it does", () => {
    assert.equal(createClientIpResolver().needsHeaders, false);
    assert.equal(createClientIpResolver({ proxies: ["loopback"] }).needsHeaders, true);
    assert.equal(createClientIpResolver({ platform: "cloudflare" }).needsHeaders, true);
  });

  it("does not read headers to find the IP when no proxy is trusted", () => {
    const { request, reads } = countingNodeRequest(["Host", "h", "X-Forwarded-For", "203.0.113.9"], "::ffff:192.0.2.7");
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver(), ...limits });
    assert.equal(normalized.ip, "192.0.2.7");
    assert.equal(normalized.path, "/a");
    assert.equal(reads.count, 0);
    assert.equal(normalized.host, "h");
    assert.ok(reads.count > 0);
  });

  it("reads forwarding headers up front when a proxy is trusted", () => {
    const { request, reads } = countingNodeRequest(["Host", "h", "X-Forwarded-For", "203.0.113.9"], "127.0.0.1");
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver({ proxies: ["loopback"] }), ...limits });
    assert.ok(reads.count > 0);
    assert.equal(normalized.ip, "203.0.113.9");
  });

  it("reports header anomalies when only `anomalies` is read, in the eager order", () => {
    // Too many headers and none of them Host, a target without "/", an odd method, no socket address.
    const raw: string[] = [];
    for (let i = 0; i <= MAX_HEADER_COUNT; i++) raw.push(`X-Filler-${i}`, "v");
    const { request, reads } = countingNodeRequest(raw, undefined, "no-slash");
    (request as { method: string }).method = "GE T";
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver(), ...limits });
    assert.equal(reads.count, 0);
    const anomalies = normalized.anomalies;
    assert.equal(anomalies.length, 5, anomalies.join("\n"));
    assert.match(anomalies[0] ?? "", /headers exceed/);
    assert.match(anomalies[1] ?? "", /does not start with "\/"/);
    assert.match(anomalies[2] ?? "", /unusual method/);
    assert.match(anomalies[3] ?? "", /no Host header/);
    assert.match(anomalies[4] ?? "", /client IP unknown/);
    assert.equal(normalized.anomalies, anomalies, "anomalies are computed once");
  });

  it("reports no header anomaly for a well-formed request read lazily", () => {
    const { request } = countingNodeRequest(["Host", "h"], "192.0.2.1");
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver(), ...limits });
    assert.deepEqual([...normalized.anomalies], []);
  });

  it("builds the header record once: repeated reads return the same object", () => {
    const { request, reads } = countingNodeRequest(
      ["Host", "h", "Cookie", "a=1", "Cookie", "b=2", "Accept", "x", "ACCEPT", "y"],
      "192.0.2.1",
    );
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver(), ...limits });
    const first = normalized.headers;
    const readsAfterFirst = reads.count;
    assert.equal(normalized.headers, first);
    assert.equal(normalized.host, "h");
    assert.equal(reads.count, readsAfterFirst);
    assert.equal(first.cookie, "a=1; b=2");
    assert.equal(first.accept, "x, y");
  });

  it("reads a Web Request's content type lazily when the body is read", async () => {
    const web = new Request("http://h.test/p", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: '{"a":1}',
    });
    const normalized = normalizeRequest(web, {}, { resolver: createClientIpResolver(), ...limits, socketIp: "192.0.2.1" });
    const body = await normalized.body();
    assert.equal(body?.contentType, "application/json");
    assert.equal(normalized.headers["content-type"], "application/json; charset=utf-8");
  });

  it("reads a plain object's content type lazily when the body is read", async () => {
    const normalized = normalizeRequest(
      { url: "/", headers: { "Content-Type": "text/plain" }, body: "hello", ip: "192.0.2.1" },
      {},
      { resolver: createClientIpResolver(), ...limits },
    );
    const body = await normalized.body();
    assert.equal(body?.contentType, "text/plain");
    assert.equal(new TextDecoder().decode(body?.bytes), "hello");
  });

  it("header(name) gives what headers[name] gives, for every shape, without building the record", () => {
    const raw = ["Host", "h", "Cookie", "a=1", "Cookie", "b=2", "Accept", "x", "ACCEPT", "y", "User-Agent", "curl/8.5.0"];
    const filler: string[] = [];
    for (let i = 0; i <= MAX_HEADER_COUNT; i++) filler.push(`X-Filler-${i}`, "v");
    const names = ["host", "cookie", "accept", "user-agent", "x-api-key", "x-late", "x-forwarded-for"];
    const asRecord = (list: string[]) => {
      const record: Record<string, string[]> = {};
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i] as string;
        record[name] = [...(record[name] ?? []), list[i + 1] as string];
      }
      return record;
    };
    for (const list of [raw, [...filler, "X-Late", "past the bound", "X-Forwarded-For", "198.51.100.1", "Cookie", "c=3"]]) {
      const shapes = {
        node: () => countingNodeRequest(list, "192.0.2.1").request,
        plain: () => ({ url: "/", headers: asRecord(list), ip: "192.0.2.1" }),
        web: () => {
          const headers = new Headers();
          for (let i = 0; i < list.length; i += 2) headers.append(list[i] as string, list[i + 1] as string);
          return new Request("http://h.test/", { headers });
        },
      };
      for (const [shape, make] of Object.entries(shapes)) {
        const options = { resolver: createClientIpResolver(), ...limits, socketIp: "192.0.2.1" };
        const lazy = normalizeRequest(make(), {}, options);
        const found = names.map((name) => lazy.header(name));
        const eager = normalizeRequest(make(), {}, options);
        assert.deepEqual(
          found,
          names.map((name) => eager.headers[name]),
          `${shape}, ${list.length / 2} headers`,
        );
        assert.deepEqual(
          names.map((name) => eager.header(name)),
          found,
          `${shape}: the same once the record exists`,
        );
      }
    }
  });

  it("header(name) does not build the header record", () => {
    const { request, reads } = countingNodeRequest(["Host", "h", "User-Agent", "curl/8.5.0"], "192.0.2.1");
    const normalized = normalizeRequest(request, {}, { resolver: createClientIpResolver(), ...limits });
    assert.equal(normalized.header("user-agent"), "curl/8.5.0");
    const afterLookup = reads.count;
    assert.equal(normalized.headers["user-agent"], "curl/8.5.0");
    assert.ok(reads.count > afterLookup, "the record is built only when `headers` is read");
  });
});
