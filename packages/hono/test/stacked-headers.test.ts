/**
 * Two parapet middlewares on one app (a global limit, a stricter or looser one on a route): the response must
 * carry the RateLimit headers one client holding both rule sets would send. The outer one's, set after next(),
 * used to overwrite the inner one's: a 429 from a login limit of 2 said "global";r=97.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { itReportsStackedLimits, onLoopback, stackedLimit } from "@parapet/node/test-suite";
import { Hono } from "hono";
import { type ParapetVariables, parapet } from "../src/index.js";

describe("parapet stacked on one Hono app", () => {
  itReportsStackedLimits(async (global, login) => {
    const app = new Hono<{ Variables: ParapetVariables }>();
    app.use(parapet(global));
    app.use("/login", parapet(login));
    app.post("/login", (c) => c.json({ ok: true }));
    const server = await onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
    return { loginUrl: `${server.url}/login`, close: () => server.close() };
  });

  it("puts the RateLimit and Retry-After headers on a custom denial, which may set its own", async () => {
    const client = stackedLimit("api", 1);
    const app = new Hono<{ Variables: ParapetVariables }>();
    app.use("/json", parapet(client, { onDenied: (_d, c) => c.json({ custom: true }, 429) }));
    app.use("/own", parapet(client, { onDenied: () => new Response("slow down", { status: 429, headers: { "retry-after": "5" } }) }));
    app.use("/redirect", parapet(client, { onDenied: () => Response.redirect("http://127.0.0.1/busy", 302) }));
    app.get("*", (c) => c.text("ok"));
    const server = await onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
    try {
      assert.equal((await fetch(`${server.url}/json`)).status, 200);
      const json = await fetch(`${server.url}/json`);
      assert.deepEqual([json.status, await json.json()], [429, { custom: true }]);
      assert.equal(json.headers.get("ratelimit"), '"api";r=0;t=60');
      assert.equal(json.headers.get("retry-after"), "60");
      const own = await fetch(`${server.url}/own`);
      assert.deepEqual([own.status, own.headers.get("retry-after"), own.headers.get("ratelimit")], [429, "5", '"api";r=0;t=60']);
      const redirect = await fetch(`${server.url}/redirect`, { redirect: "manual" });
      assert.deepEqual([redirect.status, redirect.headers.get("retry-after")], [302, "60"], "immutable headers are copied");
    } finally {
      await server.close();
      await client.close();
    }
  });
});
