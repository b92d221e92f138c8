import type { Server } from "node:http";
import { describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { parapet as createClient, silentLogger } from "@parapet/core";
import { assertLazyBodiesArrive, bodyRule, LAZY_BODY_LIMIT, lazyEchoResponse, onLoopback } from "@parapet/node/test-suite";
import { Hono } from "hono";
import { type ParapetVariables, parapet } from "../src/index.js";

describe("@parapet/hono with a handler that reads the body after it returned", () => {
  it("leaves the whole body for the handler's stream, under and over the body limit", async () => {
    const client = createClient({ rules: [bodyRule()], logger: silentLogger, maxBodyBytes: LAZY_BODY_LIMIT });
    const app = new Hono<{ Variables: ParapetVariables }>();
    app.use(parapet(client));
    app.post("/lazy", (c) => lazyEchoResponse(() => c.req.text()));
    const server = await onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
    try {
      await assertLazyBodiesArrive(`${server.url}/lazy`);
    } finally {
      await server.close();
    }
  });
});
