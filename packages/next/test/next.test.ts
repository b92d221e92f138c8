import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Parapet, parapet, silentLogger } from "@parapet/core";
import { countingRule, DENY_HEADER, headerDenyRule, runAdapterSuite } from "@parapet/node/test-suite";
import { NextRequest } from "next/server.js";
import { parapetMiddleware, withParapet } from "../src/index.js";
import { peers, type RouteHandler, startBridge } from "./next-bridge.js";

const socketIp = (request: Request) => peers.get(request);

const hello: RouteHandler = async () => Response.json({ message: "hello" });
const echo: RouteHandler = async (request) => Response.json({ received: await request.json() });
const unread: RouteHandler = async () => Response.json({ error: "login first" }, { status: 401 });

runAdapterSuite({
  name: "next withParapet (route handlers)",
  guardsUnroutedPaths: false,
  start: (client) =>
    startBridge({
      "GET /hello": withParapet(client, hello, { socketIp }),
      "POST /echo": withParapet(client, echo, { socketIp }),
      "POST /unread": withParapet(client, unread, { socketIp }),
    }),
});

runAdapterSuite({
  name: "next parapetMiddleware",
  start: (client) =>
    startBridge({ "GET /hello": hello, "POST /echo": echo, "POST /unread": unread }, parapetMiddleware(client, { socketIp })),
});

function client(): Parapet {
  return parapet({ rules: [headerDenyRule(), countingRule(5)], logger: silentLogger });
}

const request = (headers: Record<string, string> = {}) => new NextRequest("http://127.0.0.1/api", { headers });

describe("@parapet/next", () => {
  it("keys by x-vercel-forwarded-for only when the client says it runs on Vercel", async () => {
    const onVercel = withParapet(parapet({ rules: [countingRule(1)], platform: "vercel", logger: silentLogger }), async () =>
      Response.json({}),
    );
    const fromVercel = (ip: string) => onVercel(request({ "x-vercel-forwarded-for": ip }), {}).then((r) => r.status);
    assert.deepEqual([await fromVercel("203.0.113.9"), await fromVercel("203.0.113.10"), await fromVercel("203.0.113.9")], [200, 200, 429]);

    // Not on Vercel: the same header is anyone's to send, so it is ignored.
    const elsewhere = parapet({ rules: [], logger: silentLogger });
    assert.equal((await elsewhere.protect(request({ "x-vercel-forwarded-for": "203.0.113.9" }))).ip, "unknown");
  });

  it("adds headers to a response whose headers are immutable", async () => {
    const route = withParapet(client(), async () => Response.redirect("http://127.0.0.1/next", 307), { socketIp: () => "192.0.2.1" });
    const response = await route(request(), {});
    assert.equal(response.status, 307);
    assert.equal(response.headers.get("location"), "http://127.0.0.1/next");
    assert.equal(response.headers.get("ratelimit"), '"test";r=4;t=60');
  });

  it("hands a handler's non-Response back as it is, for Next.js to report", async () => {
    // It used to throw "Cannot read properties of undefined (reading 'type')", or answer an object with an empty 200.
    for (const returned of [undefined, { ok: true }]) {
      const route = withParapet(client(), async () => returned as unknown as Response, { socketIp: () => "192.0.2.1" });
      assert.equal(await route(request(), {}), returned);
    }
  });

  it("returns a Response.error() from the handler as it is", async () => {
    const route = withParapet(client(), async () => Response.error(), { socketIp: () => "192.0.2.1" });
    const response = await route(request(), {});
    assert.equal(response.type, "error");
    assert.equal(response.status, 0);
  });

  it("calls onDenied, and still denies when it throws or returns no Response", async () => {
    const custom = withParapet(client(), async () => Response.json({}), { onDenied: () => new Response("custom", { status: 451 }) });
    const response = await custom(request({ [DENY_HEADER]: "1" }), {});
    assert.equal(response.status, 451);
    assert.equal(await response.text(), "custom");
    const broken = parapetMiddleware(client(), {
      onDenied: () => {
        throw new Error("broken page");
      },
    });
    assert.equal((await broken(request({ [DENY_HEADER]: "1" }))).status, 403);
    const wrongType = parapetMiddleware(client(), { onDenied: () => "not a response" as unknown as Response });
    assert.equal((await wrongType(request({ [DENY_HEADER]: "1" }))).status, 403);
  });

  it("survives a throwing socketIp option", async () => {
    const middleware = parapetMiddleware(client(), {
      socketIp: () => {
        throw new Error("no socket here");
      },
    });
    const response = await middleware(request());
    assert.equal(response.headers.get("x-middleware-next"), "1");
  });

  it("rejects a missing client or handler at construction", () => {
    assert.throws(() => parapetMiddleware(undefined as never), /pass the client created with parapet/);
    assert.throws(() => withParapet(client(), undefined as never), /`handler` must be a route handler/);
  });
});
