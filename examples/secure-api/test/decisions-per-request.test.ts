import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Decision } from "@parapet/core";
import { postJson, startApi, type TestApi } from "./helpers.js";

// The decision log counts decisions: a request decided by two clients (the site rules, then the route's limit) would
// be two "requests" on the dashboard, one without its status, and the bot and attack share would be diluted.
describe("secure-api: one decision per request", () => {
  let api: TestApi;
  let decisions: Decision[];
  beforeEach(async () => {
    decisions = [];
    api = await startApi({ observers: [{ onDecision: (decision) => void decisions.push(decision) }] });
  });
  afterEach(() => api.close());

  async function decisionsFor(send: () => Promise<Response>): Promise<readonly Decision[]> {
    const before = decisions.length;
    await (await send()).arrayBuffer();
    return decisions.slice(before);
  }

  it("decides a route with its own limit once, with the site rules and the route's limit together", async () => {
    const made = await decisionsFor(() => fetch(`${api.url}/api/hello`));
    assert.equal(made.length, 1);
    const rules = made[0]?.results.map((result) => result.ruleId) ?? [];
    assert.ok(rules.includes("RATE_LIMIT:hello"), rules.join());
    assert.ok(rules.includes("RATE_LIMIT:api"), rules.join());
    assert.ok(rules.includes("SHIELD"), rules.join());
  });

  it("decides every other kind of request once", async () => {
    assert.equal((await decisionsFor(() => fetch(`${api.url}/api/health`))).length, 1);
    assert.equal((await decisionsFor(() => fetch(`${api.url}/no-such-page`))).length, 1);
    assert.equal((await decisionsFor(() => postJson(`${api.url}/api/signup`, { email: "a@example.com", password: "x" }))).length, 1);
    assert.equal((await decisionsFor(() => postJson(`${api.url}/api/login`, { email: "not an address" }))).length, 1);
  });

  it("adds the per-account decision only once a login names an account", async () => {
    const made = await decisionsFor(() => postJson(`${api.url}/api/login`, { email: "a@example.com", password: "wrong" }));
    assert.deepEqual(
      made.map((decision) => decision.results.some((result) => result.ruleId === "RATE_LIMIT:login-user")),
      [false, true],
    );
  });
});
