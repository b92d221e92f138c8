/**
 * Two parapetMiddleware on one app (a global limit, a stricter or looser one on a route): the response must carry
 * the RateLimit headers one client holding both rule sets would send. Each middleware used to overwrite the
 * other's, so the client was told "login";r=98 by the response that used up the global limit of 2.
 */
import { createServer } from "node:http";
import { describe } from "node:test";
import { itReportsStackedLimits, onLoopback } from "@parapet/node/test-suite";
import express from "express";
import { parapetMiddleware } from "../src/index.js";

describe("parapetMiddleware stacked on one app", () => {
  itReportsStackedLimits(async (global, login) => {
    const app = express();
    app.use(parapetMiddleware(global));
    app.use("/login", parapetMiddleware(login));
    app.post("/login", (_req, res) => void res.json({ ok: true }));
    const server = await onLoopback(createServer(app));
    return { loginUrl: `${server.url}/login`, close: () => server.close() };
  });
});
