import assert from "node:assert/strict";
import type { Server } from "node:http";
import { describe, it } from "node:test";
import { type HttpBindings, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { parapet as createClient, type Parapet, silentLogger } from "@parapet/core";
import {
  bodyRule,
  countingRule,
  DENY_HEADER,
  FORBIDDEN_WORD,
  headerDenyRule,
  LEAVING_HEADER,
  leaveFourTimesThenStay,
  onLoopback,
  type RunningServer,
  runAdapterSuite,
  whenClosed,
} from "@parapet/node/test-suite";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { validator } from "hono/validator";
import { type ParapetHonoOptions, type ParapetVariables, parapet } from "../src/index.js";

function listen(app: Hono<{ Variables: ParapetVariables }>): Promise<RunningServer> {
  return onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
}

function suiteApp(client: Parapet, options: ParapetHonoOptions): Promise<RunningServer> {
  const app = new Hono<{ Variables: ParapetVariables }>();
  app.use(parapet(client, options));
  app.get("/hello", (c) => c.json({ message: "hello" }));
  app.post("/echo", async (c) => {
    const received: unknown = await c.req.json().catch(() => undefined);
    return received === undefined ? c.json({ error: "send JSON" }, 400) : c.json({ received });
  });
  app.post("/unread", (c) => c.json({ error: "login first" }, 401));
  return listen(app);
}

runAdapterSuite({ name: "hono (getConnInfo from @hono/node-server)", start: (client) => suiteApp(client, { getConnInfo }) });
runAdapterSuite({ name: "hono (default node-server bindings)", start: (client) => suiteApp(client, {}) });

describe("@parapet/hono", () => {
  it("sets the decision for handlers and the headers on a response the handler built itself", async () => {
    const client = createClient({ rules: [countingRule(5)], logger: silentLogger });
    const app = new Hono<{ Variables: ParapetVariables }>();
    app.use(parapet(client, { getConnInfo }));
    // Response.redirect() has immutable headers: the adapter must still add its own.
    app.get("/redirect", () => Response.redirect("http://127.0.0.1/elsewhere", 302));
    app.get("/", (c) => c.json({ ip: c.get("parapet").ip }));
    const server = await listen(app);
    try {
      assert.deepEqual(await (await fetch(server.url)).json(), { ip: "127.0.0.1" });
      const redirect = await fetch(`${server.url}/redirect`, { redirect: "manual" });
      assert.equal(redirect.status, 302);
      assert.equal(redirect.headers.get("ratelimit"), '"test";r=3;t=60');
    } finally {
      await server.close();
    }
  });

  it("does not fall back to a spoofable header when the runtime gives no peer address", async () => {
    const client = createClient({ rules: [countingRule(1)], logger: silentLogger });
    const app = new Hono<{ Variables: ParapetVariables }>();
    app.use(parapet(client));
    app.get("/", (c) => c.json({ ip: c.get("parapet").ip, conclusion: c.get("parapet").conclusion }));
    // app.request() runs without a server: no bindings, no socket. The core
    // then reports an ERROR (no key to count by), which fails open here.
    const response = await app.request("/", { headers: { "x-forwarded-for": "203.0.113.1" } });
    assert.deepEqual(await response.json(), { ip: "unknown", conclusion: "ERROR" });
  });

  it("calls onDenied, still denies when it throws, and survives a throwing getConnInfo", async () => {
    const client = createClient({ rules: [headerDenyRule()], logger: silentLogger });
    const custom = new Hono();
    custom.use(parapet(client, { onDenied: (_d, c) => c.text("custom", 451) }));
    custom.get("/", (c) => c.text("ok"));
    const response = await custom.request("/", { headers: { [DENY_HEADER]: "1" } });
    assert.equal(response.status, 451);
    assert.equal(await response.text(), "custom");

    const broken = new Hono();
    const throwing = () => {
      throw new Error("no conninfo on this runtime");
    };
    broken.use(parapet(client, { onDenied: throwing, getConnInfo: throwing }));
    broken.get("/", (c) => c.text("ok"));
    assert.equal((await broken.request("/", { headers: { [DENY_HEADER]: "1" } })).status, 403);
    assert.equal((await broken.request("/")).status, 200);
  });

  for (const [name, options] of [
    ["getConnInfo", { getConnInfo }],
    ["node-server bindings", {}],
  ] as const) {
    it(`does not run the route for a client that closed its connection before the decision (${name})`, async () => {
      let decided = 0;
      const client = createClient({ rules: [countingRule(1)], logger: silentLogger, observers: [{ onDecision: () => void decided++ }] });
      const app = new Hono<{ Bindings: HttpBindings; Variables: ParapetVariables }>();
      // An earlier middleware the client does not wait for (a session lookup): it goes on once the connection is gone.
      app.use(async (c, next) => {
        if (c.req.header(LEAVING_HEADER)) await new Promise<void>((resolve) => whenClosed(c.env.incoming.socket, resolve));
        await next();
      });
      app.use(parapet(client, options));
      let sent = 0;
      app.post("/send-sms", (c) => {
        sent++;
        return c.json({ sent: true });
      });
      const server = await onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
      try {
        const stayed = await leaveFourTimesThenStay(server.url, "/send-sms", () => decided);
        assert.equal(stayed.status, 200, "a client that waits is answered");
        assert.equal(sent, 1, "only the client that stayed reached the route; the limit is 1 per IP");
      } finally {
        await server.close();
      }
    });
  }

  it("inspects a body that a middleware before it read through Hono (a validator first on the route)", async () => {
    const client = createClient({ rules: [bodyRule()], logger: silentLogger });
    const guard = parapet(client, { getConnInfo });
    const app = new Hono<{ Variables: ParapetVariables }>();
    const accept = (value: unknown) => value as Record<string, string>;
    app.post("/json", validator("json", accept), guard, (c) => c.json({ received: c.req.valid("json") }));
    app.post("/form", validator("form", accept), guard, (c) => c.json({ received: c.req.valid("form") }));
    const readsText = createMiddleware(async (c, next) => {
      await c.req.text();
      await next();
    });
    app.post("/text", readsText, guard, async (c) => c.json({ received: await c.req.text() }));
    const server = await listen(app);
    const post = async (path: string, body: string | FormData, type?: string) => {
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        body,
        ...(type ? { headers: { "content-type": type } } : {}),
      });
      return { status: response.status, body: (await response.json()) as { received?: unknown } };
    };
    const form = (q: string) => {
      const data = new FormData();
      data.set("q", q);
      return data;
    };
    try {
      for (const [path, make, type] of [
        ["/json", (q: string) => JSON.stringify({ q }), "application/json"],
        ["/form", (q: string) => new URLSearchParams({ q }).toString(), "application/x-www-form-urlencoded"],
        ["/form", form, undefined],
        ["/text", (q: string) => q, "text/plain"],
      ] as const) {
        assert.equal((await post(path, make(FORBIDDEN_WORD), type)).status, 403, `${path} ${type ?? "multipart"}: the rule saw the body`);
        const allowed = await post(path, make("hello"), type);
        assert.equal(allowed.status, 200, `${path} ${type ?? "multipart"}`);
        assert.deepEqual(allowed.body.received, path === "/text" ? "hello" : { q: "hello" }, "the route still reads what was sent");
      }
    } finally {
      await server.close();
    }
  });

  it("rejects a missing client at construction", () => {
    assert.throws(() => parapet(undefined as never), /pass the client created with parapet/);
  });
});
