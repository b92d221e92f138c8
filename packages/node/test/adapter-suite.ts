/**
 * The one integration suite every adapter passes (STYLE: "same suite on every
 * target"). Each target starts a REAL server on 127.0.0.1, port 0, with two
 * routes, and the cases below talk to it over HTTP with fetch:
 *   GET  /hello  -> 200 {"message":"hello"}
 *   POST /echo   -> 200 {"received": <the JSON body, parsed by the framework>}
 *   POST /unread -> 401 {"error":"login first"}, without reading the body
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import { type Clock, fixedWindow, MemoryStore, type Parapet, type ParapetOptions, parapet, silentLogger } from "@parapet/core";
import { keepAliveClient, NO_RESPONSE, rawRequest } from "./http-client.js";
import { bodyRule, countingRule, DENY_HEADER, FORBIDDEN_WORD, failingRule, headerDenyRule, queryDenyRule } from "./test-rules.js";

export * from "./http-client.js";
export * from "./lazy-body.js";
export * from "./leaving-client.js";
export * from "./stacked-limits.js";
export * from "./started-response.js";
export * from "./test-rules.js";

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Describes a server already listening (or about to) on 127.0.0.1; `close()`
 * also drops keep-alive sockets, which fetch leaves open and which would
 * otherwise hold `server.close()` until they time out.
 */
export async function onLoopback(server: Server): Promise<RunningServer> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  else if (!server.address()) await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AdapterTarget {
  readonly name: string;
  /** Serves /hello and /echo behind the adapter under test, protected by `client`. */
  start(client: Parapet): Promise<RunningServer>;
  /**
   * False when Parapet wraps each route rather than the server (Next.js route handlers), so a request no route
   * serves never reaches it: the cases that need one ("/", HEAD) are not registered. Default true.
   */
  readonly guardsUnroutedPaths?: boolean;
}

const LIMIT = 3;

/** Bodies larger than a socket's buffers: the rest waits in the kernel until someone reads or discards it. */
const LARGE_BODY_BYTES = 3_000_000;
const JSON_POST = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n";

/** Bodies with nothing in them, framed three ways node:http accepts. */
const EMPTY_BODIES: Readonly<Record<string, readonly string[]>> = {
  "an empty chunked body": [`${JSON_POST}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  "an empty chunked body whose terminator comes later": [`${JSON_POST}Transfer-Encoding: chunked\r\n\r\n`, "0\r\n\r\n"],
  "Content-Length: 00": [`${JSON_POST}Content-Length: 00\r\n\r\n`],
};

const ODD_REQUEST_LINES: Readonly<Record<string, string>> = {
  "an absolute-form target": "GET http://elsewhere.test/hello?q=1 HTTP/1.1",
  "OPTIONS *": "OPTIONS * HTTP/1.1",
  "an encoded NUL in the path": "GET /hello%00.json HTTP/1.1",
  "a path starting with //": "GET //elsewhere.test/hello HTTP/1.1",
  'a "/..;/" path': "GET /..;/hello HTTP/1.1",
  "a header value near node's 16 KiB limit": `GET /hello HTTP/1.1\r\nX-Long: ${"a".repeat(15_000)}`,
};

export function runAdapterSuite(target: AdapterTarget): void {
  describe(`adapter suite: ${target.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function serve(options: ParapetOptions): Promise<string> {
      const client = parapet({ logger: silentLogger, ...options });
      const server = await target.start(client);
      cleanups.push(
        () => client.close(),
        () => server.close(),
      );
      return server.url;
    }

    it("lets an allowed request through with RateLimit headers", async () => {
      const url = await serve({ rules: [countingRule(LIMIT)] });
      const response = await fetch(`${url}/hello`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { message: "hello" });
      assert.equal(response.headers.get("ratelimit"), `"test";r=${LIMIT - 1};t=60`);
      assert.equal(response.headers.get("ratelimit-policy"), `"test";q=${LIMIT};w=60`);
      assert.equal(response.headers.get("retry-after"), null);
    });

    it("answers the (N+1)th request with 429, RateLimit, Retry-After and a JSON body", async () => {
      const url = await serve({ rules: [countingRule(LIMIT)] });
      for (let i = 0; i < LIMIT; i++) assert.equal((await fetch(`${url}/hello`)).status, 200, `request ${i + 1}`);
      const response = await fetch(`${url}/hello`);
      assert.equal(response.status, 429);
      assert.equal(response.headers.get("ratelimit"), `"test";r=0;t=60`);
      assert.equal(response.headers.get("retry-after"), "60");
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(await response.json(), {
        error: "Too Many Requests",
        reason: `Rate limit of ${LIMIT} requests per 60 s exceeded.`,
        rule: "RATE_LIMIT:test",
      });
    });

    it("enforces the core's fixedWindow with a MemoryStore and an injected clock", async () => {
      let time = 1_700_000_040_000; // a multiple of 60 s, so a window starts here
      const clock: Clock = { now: () => time };
      const url = await serve({ rules: [fixedWindow({ name: "api", max: 2, window: "60s" })], store: new MemoryStore(), clock });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/hello`)).status);
      assert.deepEqual(statuses, [200, 200, 429]);
      const denied = await fetch(`${url}/hello`);
      assert.equal(denied.headers.get("ratelimit"), '"api";r=0;t=60');
      assert.equal(denied.headers.get("retry-after"), "60");
      time += 60_000;
      assert.equal((await fetch(`${url}/hello`)).status, 200, "a new window opens");
    });

    it("answers a LIVE denial with 403 and a JSON body naming the rule", async () => {
      const url = await serve({ rules: [headerDenyRule()] });
      const response = await fetch(`${url}/hello`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.deepEqual(await response.json(), { error: "Forbidden", reason: "Denied by the test header.", rule: "TEST_DENY" });
      assert.equal((await fetch(`${url}/hello`)).status, 200, "the same route without the header passes");
    });

    it("never returns markup from a reason that quotes the request", async () => {
      const url = await serve({ rules: [headerDenyRule("LIVE", "Saw <script>alert(1)</script> & more")] });
      const response = await fetch(`${url}/hello`, { headers: { [DENY_HEADER]: "1" } });
      const text = await response.text();
      assert.equal(response.status, 403);
      assert.doesNotMatch(text, /[<>]/);
      assert.equal(JSON.parse(text).reason, "Saw <script>alert(1)</script> & more", "escaped, not altered");
    });

    it("lets a DRY_RUN denial through", async () => {
      const url = await serve({ rules: [headerDenyRule("DRY_RUN"), countingRule(1, "DRY_RUN")] });
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${url}/hello`, { headers: { [DENY_HEADER]: "1" } });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { message: "hello" });
      }
    });

    it("leaves a POST JSON body readable by the app after protect inspected it", async () => {
      const url = await serve({ rules: [bodyRule()] });
      const payload = { name: "Ada", tags: ["x", "y"], text: "é".repeat(5000) };
      const response = await fetch(`${url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { received: payload });
      // The same rule denies when it sees the word: so it did read the body.
      const denied = await fetch(`${url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: FORBIDDEN_WORD }),
      });
      assert.equal(denied.status, 403);
      assert.equal(((await denied.json()) as { rule: string }).rule, "TEST_BODY");
    });

    for (const [name, parts] of Object.entries(EMPTY_BODIES)) {
      it(`answers ${name} as it does when no rule reads the body`, async () => {
        const untouched = await rawRequest(await serve({ rules: [] }), parts);
        const read = await rawRequest(await serve({ rules: [bodyRule()] }), parts);
        assert.notEqual(untouched.statusLine, NO_RESPONSE, "the app itself answers");
        assert.deepEqual(read, untouched);
      });
    }

    // Requests no route of a route-wrapping target (Next.js route handlers) ever receives: "/", odd request lines,
    // HEAD. Such a target has no server of its own to guard them, so the cases are not registered for it.
    if (target.guardsUnroutedPaths !== false) {
      it("inspects the query of an absolute-form target with no path (GET http://host?q=…)", async () => {
        const url = await serve({ rules: [queryDenyRule()] });
        const target = (query: string) => [`GET http://h?q=${query} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`];
        // The app's own answer to "/" (a 200 or a 404) when the query is fine; Parapet's 403 when it is not.
        assert.doesNotMatch((await rawRequest(url, target("fine"))).statusLine, / 403 |no response/);
        assert.match((await rawRequest(url, target(FORBIDDEN_WORD))).statusLine, / 403 /);
      });

      // Request targets node:http accepts as they are. Parapet must decide on each (its 403 here), or the server
      // refuse it before any middleware runs (@hono/node-server answers 400 to targets it cannot make a URL of).
      for (const [name, requestLine] of Object.entries(ODD_REQUEST_LINES)) {
        it(`decides on ${name} without crashing or hanging`, async () => {
          const url = await serve({ rules: [headerDenyRule(), bodyRule()] });
          const answer = await rawRequest(url, [`${requestLine}\r\nHost: h\r\n${DENY_HEADER}: 1\r\nConnection: close\r\n\r\n`]);
          assert.match(answer.statusLine, /^HTTP\/1\.1 (403|400) /, answer.statusLine);
        });
      }

      it("denies a HEAD request with the status and headers only, then serves the next one on the connection", async () => {
        const url = await serve({ rules: [headerDenyRule()] });
        const head = `HEAD /hello HTTP/1.1\r\nHost: h\r\n${DENY_HEADER}: 1\r\n\r\n`;
        const answer = await rawRequest(url, [head, "GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"]);
        assert.match(answer.statusLine, / 403 /);
        // No JSON body after the 403's headers: the next bytes are the second response.
        assert.match(answer.body, /^HTTP\/1\.1 200 /);
      });
    }

    // A fragment never comes from a browser, but Fastify's router parses what follows a `#` as the query.
    it("decides on a query sent after a fragment mark (GET /hello#?q=…, /hello?x=1#&q=…)", async () => {
      const url = await serve({ rules: [queryDenyRule()] });
      for (const target of [`/hello#?q=${FORBIDDEN_WORD}`, `/hello?x=1#&q=${FORBIDDEN_WORD}`]) {
        const answer = await rawRequest(url, [`GET ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`]);
        assert.match(answer.statusLine, / 403 /, target);
      }
    });

    it("denies a request that expects 100-continue, without waiting for or hanging on its body", async () => {
      const url = await serve({ rules: [headerDenyRule(), bodyRule()] });
      const headers = `${JSON_POST}Content-Length: 13\r\nExpect: 100-continue\r\n${DENY_HEADER}: 1\r\n\r\n`;
      // Node itself answers "100 Continue" before any request listener runs (no adapter owns the server's
      // checkContinue event), so the client may send the body; the final answer must still be the denial.
      const answer = await rawRequest(url, [headers, '{"name":"x"}\n'], 3_000, 200);
      const statuses = [answer.statusLine, ...answer.body.split("\r\n").filter((line) => line.startsWith("HTTP/1.1 "))];
      assert.match(statuses[statuses.length - 1] ?? "", / 403 /, statuses.join(" | "));
    });

    it("keeps a keep-alive connection usable after denying a large body it read part of", async () => {
      const client = keepAliveClient(await serve({ rules: [bodyRule()], maxBodyBytes: 64 * 1024 }));
      try {
        const body = Buffer.concat([Buffer.from(FORBIDDEN_WORD), Buffer.alloc(LARGE_BODY_BYTES, 0x61)]);
        assert.equal(await client.send("POST", "/echo", body), 403);
        assert.equal(await client.send("GET", "/hello"), 200, "the next request on the connection is answered");
      } finally {
        client.close();
      }
    });

    it("keeps a keep-alive connection usable after denying a large body no rule read", async () => {
      const client = keepAliveClient(await serve({ rules: [countingRule(1)] }));
      try {
        assert.equal(await client.send("GET", "/hello"), 200);
        assert.equal(await client.send("POST", "/echo", Buffer.alloc(LARGE_BODY_BYTES, 0x61)), 429);
        assert.equal(await client.send("GET", "/hello"), 429, "the next request on the connection is answered");
      } finally {
        client.close();
      }
    });

    it("keeps a keep-alive connection usable when the app ignores a large body Parapet read", async () => {
      const client = keepAliveClient(await serve({ rules: [bodyRule()] }));
      try {
        assert.equal(await client.send("POST", "/unread", Buffer.alloc(LARGE_BODY_BYTES, 0x61)), 401);
        assert.equal(await client.send("GET", "/hello"), 200, "the next request on the connection is answered");
      } finally {
        client.close();
      }
    });

    it("does not let a spoofed X-Forwarded-For escape the limit", async () => {
      const url = await serve({ rules: [countingRule(LIMIT)] });
      const statuses: number[] = [];
      for (let i = 0; i <= LIMIT; i++) {
        const response = await fetch(`${url}/hello`, {
          headers: { "x-forwarded-for": `203.0.113.${i + 1}`, "x-real-ip": `198.51.100.${i}` },
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429]);
    });

    it("counts forwarded clients apart when the proxy is trusted (the header does reach the core)", async () => {
      const url = await serve({ rules: [countingRule(1)], proxies: ["loopback"] });
      for (let i = 1; i <= 3; i++) {
        const response = await fetch(`${url}/hello`, { headers: { "x-forwarded-for": `203.0.113.${i}` } });
        assert.equal(response.status, 200, `client 203.0.113.${i}`);
        await response.arrayBuffer();
      }
      assert.equal((await fetch(`${url}/hello`, { headers: { "x-forwarded-for": "203.0.113.1" } })).status, 429);
    });

    it("passes when a rule fails and the client fails open", async () => {
      const url = await serve({ rules: [failingRule()], onError: "open" });
      const response = await fetch(`${url}/hello`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { message: "hello" });
    });

    it("answers 503 without internal details when a rule fails and the client fails closed", async () => {
      const url = await serve({ rules: [failingRule()], onError: "closed" });
      const response = await fetch(`${url}/hello`);
      assert.equal(response.status, 503);
      const text = await response.text();
      assert.doesNotMatch(text, /ECONNREFUSED|10\.0\.0\.7/);
      assert.deepEqual(JSON.parse(text), {
        error: "Service Unavailable",
        reason: "A protection check could not run; try again later.",
        rule: "TEST_FAIL",
      });
    });
  });
}
