import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO_BOT_POLICY } from "@parapet/bots";
import type { Decision } from "@parapet/core";
import { startApi, type TestApi } from "./helpers.js";

// The demo's default protection, as a new user meets it with curl.
describe("secure-api default protection", () => {
  let api: TestApi;
  const statuses: Array<[Decision, number]> = [];
  before(async () => {
    api = await startApi({ bots: DEMO_BOT_POLICY, onResponse: (decision, status) => void statuses.push([decision, status]) });
  });
  after(() => api.close());

  it("lets curl through", async () => {
    const response = await fetch(`${api.url}/api/hello`, { headers: { "user-agent": "curl/8.5.0" } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { message: "Hello" });
  });

  it("denies python-requests with the bot's name in the reason", async () => {
    const response = await fetch(`${api.url}/api/hello`, { headers: { "user-agent": "python-requests/2.31.0" } });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { reason: string };
    assert.match(body.reason, /python-requests/);
  });

  it("denies a SQL injection in the query string with 403 and the reason", async () => {
    const response = await fetch(`${api.url}/api/hello?id=1'%20OR%20'1'='1`, { headers: { "user-agent": "curl/8.5.0" } });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { reason: string };
    assert.match(body.reason, /sqli/);
    assert.match(body.reason, /query\.id/);
  });

  it("denies an XSS payload in a JSON body", async () => {
    const response = await fetch(`${api.url}/api/items`, {
      method: "POST",
      headers: { "user-agent": "curl/8.5.0", "content-type": "application/json" },
      body: JSON.stringify({ name: "<img src=x onerror=alert(document.cookie)>" }),
    });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { reason: string };
    assert.match(body.reason, /xss/);
  });

  it("protects unknown paths too and reports each response's status", async () => {
    const response = await fetch(`${api.url}/api/no-such-route`, { headers: { "user-agent": "curl/8.5.0" } });
    assert.equal(response.status, 404);
    const last = statuses.at(-1);
    assert.ok(last, "onResponse was called");
    assert.equal(last[1], 404);
    assert.equal(last[0].conclusion, "ALLOW");
  });

  it("denies a probe for secrets on an unknown path, and reports the 403", async () => {
    const response = await fetch(`${api.url}/.env`, { headers: { "user-agent": "curl/8.5.0" } });
    assert.equal(response.status, 403);
    assert.equal(statuses.at(-1)?.[1], 403);
  });
});
