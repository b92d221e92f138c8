/**
 * The plugin on the root and again in a child scope (a stricter or looser login limit): the response must carry
 * the RateLimit headers one client holding both rule sets would send. The child's used to overwrite the root's,
 * so the client was told "login";r=98 by the response that used up the global limit of 2.
 */
import { describe } from "node:test";
import { itReportsStackedLimits } from "@parapet/node/test-suite";
import Fastify from "fastify";
import { parapetPlugin } from "../src/index.js";

describe("parapetPlugin registered on the root and in a child scope", () => {
  itReportsStackedLimits(async (global, login) => {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(parapetPlugin, { client: global });
    await app.register(
      async (auth) => {
        await auth.register(parapetPlugin, { client: login, hook: "preHandler" });
        auth.post("/login", async () => ({ ok: true }));
      },
      { prefix: "/auth" },
    );
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { loginUrl: `${url}/auth/login`, close: () => app.close() };
  });
});
