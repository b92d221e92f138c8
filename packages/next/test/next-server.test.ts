/**
 * @parapet/next inside a real Next.js server: test/fixture-app is built with
 * `next build` and served by `next start` on 127.0.0.1, and every case is a
 * plain HTTP request. next.test.ts covers the same adapter code quickly
 * through a bridge; this file checks that Next itself (its bundler, its
 * request objects, its proxy.js handling) gives the adapter what it expects.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { assertLazyBodiesArrive, DENY_HEADER, FORBIDDEN_WORD, keepAliveClient } from "@parapet/node/test-suite";
import { buildFixtureApp, type NextApp, startFixtureApp } from "./next-app.js";

// As configured in fixture-app/lib/clients.js: slidingWindow({ name: "api", max: 3, window: "1h", characteristics: ["apiKey"] }).
const LIMIT = 3;
const WINDOW_SECONDS = 3600;

// Measured on a 2-core machine: the build takes about 25 s; these bounds leave room for a busy one.
const BUILD_TIMEOUT_MS = 150_000;
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

// The app handles these two paths alike, once with withParapet in the route handler, once with parapetMiddleware in proxy.js.
const targets = [
  { name: "withParapet route handler", path: "/api/hello" },
  { name: "parapetMiddleware in proxy.js", path: "/mw/hello" },
];

interface ClientIpReport {
  readonly forwardedFor: string | null;
  readonly none: { readonly ip: string; readonly conclusion: string };
  readonly proxies: { readonly ip: string; readonly conclusion: string };
  readonly vercel: { readonly ip: string; readonly conclusion: string };
}

describe("@parapet/next under next build + next start", { timeout: BUILD_TIMEOUT_MS + START_TIMEOUT_MS + 60_000 }, () => {
  let app: NextApp | undefined;

  before(
    async () => {
      await buildFixtureApp(BUILD_TIMEOUT_MS);
      app = await startFixtureApp(START_TIMEOUT_MS);
    },
    { timeout: BUILD_TIMEOUT_MS + START_TIMEOUT_MS + 10_000 },
  );

  after(async () => {
    await app?.stop();
  });

  function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    assert.ok(app, "the Next.js server did not start (see the before hook's error)");
    return fetch(`${app.url}${path}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  function postJson(path: string, body: unknown): Promise<Response> {
    assert.ok(app, "the Next.js server did not start (see the before hook's error)");
    return fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  // The server lives for the whole file, so every case counts under an API key of its own.
  const freshApiKey = () => ({ "x-api-key": randomUUID() });

  for (const target of targets) {
    describe(target.name, () => {
      it("lets an allowed request through with RateLimit headers", async () => {
        const response = await get(target.path, freshApiKey());
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { message: "hello" });
        assert.equal(response.headers.get("ratelimit-policy"), `"api";q=${LIMIT};w=${WINDOW_SECONDS}`);
        const reset = secondsAfter(response.headers.get("ratelimit"), `"api";r=${LIMIT - 1};t=`);
        assert.ok(reset >= 1 && reset <= WINDOW_SECONDS, `t=${reset} lies within the window`);
        assert.equal(response.headers.get("retry-after"), null);
      });

      it("answers the (N+1)th request with 429, RateLimit, Retry-After and the JSON denial", async () => {
        const key = freshApiKey();
        for (let i = 1; i <= LIMIT; i++) {
          const response = await get(target.path, key);
          assert.equal(response.status, 200, `request ${i}`);
          await response.arrayBuffer();
        }
        const denied = await get(target.path, key);
        assert.equal(denied.status, 429);
        const reset = secondsAfter(denied.headers.get("ratelimit"), `"api";r=0;t=`);
        const retryAfter = Number(denied.headers.get("retry-after"));
        // All of this key's requests sit in the current window: the estimate only drops once that window has ended.
        assert.ok(Number.isInteger(retryAfter) && retryAfter >= reset, `Retry-After ${retryAfter} is not before the reset (${reset} s)`);
        assert.match(denied.headers.get("content-type") ?? "", /^application\/json/);
        assert.equal(denied.headers.get("cache-control"), "no-store");
        const body = (await denied.json()) as { error: string; reason: string; rule: string };
        assert.equal(body.error, "Too Many Requests");
        assert.equal(body.rule, "RATE_LIMIT:api");
        assert.match(body.reason, new RegExp(`^Rate limit of ${LIMIT} requests`));

        const other = await get(target.path, freshApiKey());
        assert.equal(other.status, 200, "another API key has its own quota");
        await other.arrayBuffer();
      });

      it("answers a denial by another rule with 403 and the JSON denial", async () => {
        const response = await get(target.path, { ...freshApiKey(), [DENY_HEADER]: "1" });
        assert.equal(response.status, 403);
        assert.equal(response.headers.get("cache-control"), "no-store");
        assert.deepEqual(await response.json(), { error: "Forbidden", reason: "Denied by the test header.", rule: "TEST_DENY" });
      });
    });
  }

  describe("a POST route handler", () => {
    it("still reads the JSON body after protect inspected it", async () => {
      const payload = { name: "Ada", tags: ["x", "y"], text: "é".repeat(5000) };
      const response = await postJson("/api/echo", payload);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { received: payload });

      // The same rule denies a body holding the word: so protect did read the body the route then read again.
      const denied = await postJson("/api/echo", { name: FORBIDDEN_WORD });
      assert.equal(denied.status, 403);
      assert.equal(((await denied.json()) as { rule: string }).rule, "TEST_BODY");
    });

    it("leaves the whole body for a streaming response that reads it after the handler returned", async () => {
      assert.ok(app, "the Next.js server did not start (see the before hook's error)");
      await assertLazyBodiesArrive(`${app.url}/api/lazy`);
    });

    it("keeps the keep-alive connection usable after denying a body larger than what protect read", async () => {
      assert.ok(app, "the Next.js server did not start (see the before hook's error)");
      // Over maxBodyBytes (1 MiB): Next does not drain the rest of a body the route left half-read.
      const body = Buffer.concat([
        Buffer.from(`{"name":"${FORBIDDEN_WORD}","padding":"`),
        Buffer.alloc(3_000_000, 0x61),
        Buffer.from('"}'),
      ]);
      const client = keepAliveClient(app.url, REQUEST_TIMEOUT_MS);
      try {
        assert.equal(await client.send("POST", "/api/echo", body, "application/json"), 403);
        assert.equal(await client.send("GET", "/api/client-ip"), 200, "the next request on the connection is answered");
      } finally {
        client.close();
      }
    });
  });

  // Next gives route handlers and proxy.js a Web Request and nothing about the socket (no `request.ip` since Next 15).
  describe("the client IP", () => {
    const report = async (headers: Record<string, string> = {}) => {
      const response = await get("/api/client-ip", headers);
      assert.equal(response.status, 200);
      return (await response.json()) as ClientIpReport;
    };

    it("is unknown to Parapet, with or without trusted proxies, so IP-keyed rules fail open", async () => {
      for (let i = 1; i <= 3; i++) {
        const seen = await report();
        assert.equal(seen.none.ip, "unknown");
        assert.equal(seen.none.conclusion, "ERROR", `request ${i}: a limit of 1 per IP cannot count without an IP`);
        // `proxies` only believes forwarding headers when the TCP peer is a listed proxy, and no peer reaches the route.
        assert.equal(seen.proxies.ip, "unknown");
        assert.equal(seen.proxies.conclusion, "ERROR");
      }
    });

    it("is in X-Forwarded-For only when the client sent none: Next fills it from the socket but keeps a client's own", async () => {
      assert.equal((await report()).forwardedFor, "127.0.0.1");
      const spoofed = await report({ "x-forwarded-for": "203.0.113.7" });
      assert.equal(spoofed.forwardedFor, "203.0.113.7", "so a socketIp option reading X-Forwarded-For would believe any client");
      assert.equal(spoofed.proxies.ip, "unknown");
    });

    it("comes from x-vercel-forwarded-for with platform: vercel", async () => {
      const first = await report({ "x-vercel-forwarded-for": "198.51.100.23" });
      assert.deepEqual(first.vercel, { ip: "198.51.100.23", conclusion: "ALLOW" });
      const second = await report({ "x-vercel-forwarded-for": "198.51.100.23" });
      assert.deepEqual(second.vercel, { ip: "198.51.100.23", conclusion: "DENY" }, "the limit of 1 per IP applies");
      const elsewhere = await report({ "x-vercel-forwarded-for": "198.51.100.24" });
      assert.equal(elsewhere.vercel.conclusion, "ALLOW", "another address is counted apart");
      assert.equal(elsewhere.none.ip, "unknown", "without platform: vercel the header is not believed");
    });
  });
});

/** The integer after `prefix` in a RateLimit header; fails the test if the header does not start with it. */
function secondsAfter(header: string | null, prefix: string): number {
  const text = header ?? "";
  assert.ok(text.startsWith(prefix), `RateLimit header ${JSON.stringify(header)} starts with ${prefix}`);
  const rest = text.slice(prefix.length);
  assert.match(rest, /^\d+$/);
  return Number(rest);
}
