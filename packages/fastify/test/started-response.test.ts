import { describe, it } from "node:test";
import { parapet } from "@parapet/core";
import {
  assertCutOff,
  assertToldToProtectFirst,
  DENY_HEADER,
  EARLY_OUTPUT,
  headerDenyRule,
  recordingLogger,
} from "@parapet/node/test-suite";
import Fastify from "fastify";
import { parapetPlugin } from "../src/index.js";

describe("parapetPlugin after a hook that wrote to reply.raw", () => {
  for (const hook of ["onRequest", "preHandler"] as const) {
    it(`closes the connection on a denial (${hook} hook) rather than leave it hanging, and logs why`, async () => {
      const logger = recordingLogger();
      const client = parapet({ rules: [headerDenyRule()], logger });
      const app = Fastify({ forceCloseConnections: true });
      app.addHook("onRequest", async (_request, reply) => {
        reply.raw.writeHead(200, { "content-type": "text/plain" });
        reply.raw.write(EARLY_OUTPUT);
      });
      await app.register(parapetPlugin, { client, hook });
      app.get("/", async () => "the route");
      const url = await app.listen({ port: 0, host: "127.0.0.1" });
      try {
        await assertCutOff(url, { headers: { [DENY_HEADER]: "1" } });
        assertToldToProtectFirst(logger);
      } finally {
        await app.close();
      }
    });
  }
});
