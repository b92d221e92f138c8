import { createServer } from "node:http";
import { describe, it } from "node:test";
import { parapet } from "@parapet/core";
import {
  assertCutOff,
  assertToldToProtectFirst,
  DENY_HEADER,
  EARLY_OUTPUT,
  headerDenyRule,
  onLoopback,
  recordingLogger,
} from "@parapet/node/test-suite";
import express from "express";
import { parapetMiddleware } from "../src/index.js";

describe("parapetMiddleware after a middleware that wrote output", () => {
  for (const custom of [false, true]) {
    it(`cuts the response off on a denial${custom ? " without running onDenied" : ""}, and logs why`, async () => {
      const logger = recordingLogger();
      const client = parapet({ rules: [headerDenyRule()], logger });
      const app = express();
      app.use((_req, res, next) => {
        res.type("text/plain").write(EARLY_OUTPUT);
        next();
      });
      // onDenied ending the response would complete the early output as a 200.
      app.use(parapetMiddleware(client, custom ? { onDenied: (_decision, _req, res) => res.end() } : {}));
      app.get("/", (_req, res) => res.end("the route"));
      const server = await onLoopback(createServer(app));
      try {
        await assertCutOff(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
        assertToldToProtectFirst(logger);
      } finally {
        await server.close();
      }
    });
  }
});
