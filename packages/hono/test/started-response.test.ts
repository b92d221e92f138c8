import type { Server } from "node:http";
import { describe, it } from "node:test";
import { type HttpBindings, serve } from "@hono/node-server";
import { parapet as createClient } from "@parapet/core";
import {
  assertCutOff,
  assertToldToProtectFirst,
  DENY_HEADER,
  EARLY_OUTPUT,
  headerDenyRule,
  onLoopback,
  recordingLogger,
} from "@parapet/node/test-suite";
import { Hono } from "hono";
import { type ParapetVariables, parapet } from "../src/index.js";

describe("@parapet/hono after a middleware that wrote to the node response", () => {
  it("closes the connection on a denial instead of letting @hono/node-server complete the 200, and logs why", async () => {
    const logger = recordingLogger();
    const client = createClient({ rules: [headerDenyRule()], logger });
    const app = new Hono<{ Bindings: HttpBindings; Variables: ParapetVariables }>();
    app.use(async (c, next) => {
      c.env.outgoing.writeHead(200, { "content-type": "text/plain" });
      c.env.outgoing.write(EARLY_OUTPUT);
      await next();
    });
    app.use(parapet(client));
    app.get("/", (c) => c.text("the route"));
    const server = await onLoopback(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
    try {
      await assertCutOff(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assertToldToProtectFirst(logger);
    } finally {
      await server.close();
    }
  });
});
