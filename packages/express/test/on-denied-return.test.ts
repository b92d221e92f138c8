/**
 * Express handlers end with `res.status(…).json(…)`, which returns the response. onDenied must take such a
 * callback as written (this file does not compile if the type rejects it) and answer with it.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { DENY_HEADER, headerDenyRule, onLoopback } from "@parapet/node/test-suite";
import express from "express";
import { parapetMiddleware } from "../src/index.js";

describe("parapetMiddleware onDenied return values", () => {
  it("accepts `(decision, req, res) => res.status(451).json(…)` and sends its answer", async () => {
    const client = parapet({ rules: [headerDenyRule()], logger: silentLogger });
    const app = express();
    app.use(parapetMiddleware(client, { onDenied: (decision, _req, res) => res.status(451).json({ denied: decision.reason.type }) }));
    app.get("/", (_req, res) => res.json({ reached: true }));
    const server = await onLoopback(createServer(app));
    try {
      const denied = await fetch(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(denied.status, 451);
      assert.deepEqual(await denied.json(), { denied: "TEST_DENY" });
      assert.deepEqual(await (await fetch(`${server.url}/`)).json(), { reached: true });
    } finally {
      await server.close();
    }
  });
});
