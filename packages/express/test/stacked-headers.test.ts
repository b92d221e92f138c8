/**
 * Two parapetMiddleware on one app (a global limit, a stricter or looser one on a route): the response must carry
 * the RateLimit headers one client holding both rule sets would send. Each middleware used to overwrite the
 * other's, so the client was told "login";r=98 by the response that used up the global limit of 2.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { fixedWindow, MemoryStore, parapet, silentLogger } from "@parapet/core";
import { onLoopback } from "@parapet/node/test-suite";
import express from "express";
import { parapetMiddleware } from "../src/index.js";

// A multiple of 60 s: a window starts here, so every `t` is 60.
const clock = { now: () => 1_700_000_040_000 };
const limit = (name: string, max: number) =>
  parapet({ rules: [fixedWindow({ name, max, window: "60s" })], store: new MemoryStore(), clock, logger: silentLogger });

describe("parapetMiddleware stacked on one app", () => {
  for (const [globalMax, loginMax] of [
    [2, 100],
    [100, 2],
  ] as const) {
    it(`reports the limit closest to its end, and both policies (global ${globalMax}, login ${loginMax})`, async () => {
      const app = express();
      app.use(parapetMiddleware(limit("global", globalMax)));
      app.use("/login", parapetMiddleware(limit("login", loginMax)));
      app.post("/login", (_req, res) => void res.json({ ok: true }));
      const server = await onLoopback(createServer(app));
      const tight = globalMax < loginMax ? "global" : "login";
      try {
        const policies = [];
        const seen = [];
        for (let i = 0; i < 3; i++) {
          const response = await fetch(`${server.url}/login`, { method: "POST" });
          await response.arrayBuffer();
          policies.push(response.headers.get("ratelimit-policy"));
          seen.push([response.status, response.headers.get("ratelimit"), response.headers.get("retry-after")]);
        }
        assert.deepEqual(seen, [
          [200, `"${tight}";r=1;t=60`, null],
          [200, `"${tight}";r=0;t=60`, null],
          [429, `"${tight}";r=0;t=60`, "60"],
        ]);
        assert.equal(policies[0], `"global";q=${globalMax};w=60, "login";q=${loginMax};w=60`);
      } finally {
        await server.close();
      }
    });
  }
});
