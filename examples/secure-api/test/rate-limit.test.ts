import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { startApi, type TestApi } from "./helpers.js";

describe("secure-api contract: GET /api/hello, 10 requests per 60 s per client IP", () => {
  let api: TestApi;
  afterEach(() => api.close());

  it("serves 10 requests, answers the 11th with 429, RateLimit and Retry-After, and resets after the window", async () => {
    api = await startApi();
    for (let i = 1; i <= 10; i++) {
      const response = await fetch(`${api.url}/api/hello`);
      assert.equal(response.status, 200, `request ${i}`);
      assert.deepEqual(await response.json(), { message: "Hello" });
      assert.equal(response.headers.get("ratelimit"), `"hello";r=${10 - i};t=60`);
    }
    const eleventh = await fetch(`${api.url}/api/hello`);
    assert.equal(eleventh.status, 429);
    assert.equal(eleventh.headers.get("ratelimit"), '"hello";r=0;t=60');
    assert.match(eleventh.headers.get("ratelimit-policy") ?? "", /"hello";q=10;w=60/);
    assert.equal(eleventh.headers.get("retry-after"), "60");
    assert.deepEqual(await eleventh.json(), {
      error: "Too Many Requests",
      reason: "Rate limit of 10 requests per 60s exceeded; retry in 60s.",
      rule: "RATE_LIMIT:hello",
    });

    api.clock.advance(59_000);
    const stillLimited = await fetch(`${api.url}/api/hello`);
    assert.equal(stillLimited.status, 429);
    assert.equal(stillLimited.headers.get("retry-after"), "1");
    api.clock.advance(1_000);
    assert.equal((await fetch(`${api.url}/api/hello`)).status, 200);
  });

  it("does not let a forged X-Forwarded-For buy a new quota", async () => {
    api = await startApi();
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++) {
      statuses.push((await fetch(`${api.url}/api/hello`, { headers: { "x-forwarded-for": `198.51.100.${i}` } })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
  });

  it("counts each client apart behind a trusted proxy", async () => {
    api = await startApi({ proxies: ["loopback"] });
    const from = (ip: string) => fetch(`${api.url}/api/hello`, { headers: { "x-forwarded-for": ip } }).then((r) => r.status);
    for (let i = 0; i < 10; i++) assert.equal(await from("198.51.100.1"), 200);
    assert.equal(await from("198.51.100.1"), 429);
    assert.equal(await from("198.51.100.2"), 200, "another client has its own quota");
  });

  it("leaves the other routes to their own, looser limit", async () => {
    api = await startApi();
    for (let i = 0; i < 11; i++) await (await fetch(`${api.url}/api/hello`)).arrayBuffer();
    const items = await fetch(`${api.url}/api/items`);
    assert.equal(items.status, 200);
    assert.match(items.headers.get("ratelimit") ?? "", /^"api";r=\d+;t=\d+$/);
  });
});
