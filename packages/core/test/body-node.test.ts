import assert from "node:assert/strict";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import express from "express";
import { type BodyContent, type Parapet, parapet, silentLogger } from "../src/index.js";

/** A client whose one rule reads the body, as the shield will; it hands what it read to the test. */
function bodyReadingClient(maxBodyBytes: number, onRead: (content: BodyContent | undefined) => void): Parapet {
  return parapet({
    rules: [
      {
        type: "BODY_PROBE",
        mode: "LIVE",
        cost: 5,
        async evaluate(context) {
          const content = await context.request.body();
          onRead(content);
          return { conclusion: "ALLOW", reason: { type: "TEST", message: `read ${content?.bytes.length ?? 0} bytes` } };
        },
      },
    ],
    maxBodyBytes,
    logger: silentLogger,
  });
}

const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("reading a Node request body on a real node:http server", () => {
  it("lets the handler read the whole body after protect() read it", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1024 * 1024, (content) => {
      inspected = content;
    });
    const url = await listen(async (req, res) => {
      await p.protect(req);
      let appBody = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        appBody += chunk;
      });
      req.on("end", () => res.end(appBody));
    });
    const payload = JSON.stringify({ user: "alice", note: "x".repeat(50_000) });
    const response = await fetch(url, { method: "POST", body: payload, headers: { "content-type": "application/json" } });
    assert.equal(await response.text(), payload);
    assert.equal(new TextDecoder().decode(inspected?.bytes), payload);
    assert.equal(inspected?.truncated, false);
    assert.equal(inspected?.contentType, "application/json");
  });

  it("truncates a body over maxBodyBytes for inspection, and the app still gets all of it", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1_000, (content) => {
      inspected = content;
    });
    const url = await listen(async (req, res) => {
      await p.protect(req);
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => res.end(String(Buffer.concat(chunks).length)));
    });
    const response = await fetch(url, { method: "POST", body: "y".repeat(300_000), headers: { "content-type": "text/plain" } });
    assert.equal(await response.text(), "300000");
    assert.equal(inspected?.bytes.length, 1_000);
    assert.equal(inspected?.truncated, true);
  });

  it("leaves the body for express.json() after protect() read it", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1024 * 1024, (content) => {
      inspected = content;
    });
    const app = express();
    app.use(async (req, _res, next) => {
      await p.protect(req);
      next();
    });
    app.use(express.json());
    app.post("/login", (req, res) => {
      res.json({ received: req.body });
    });
    const url = await listen(app);
    const body = JSON.stringify({ user: "alice", password: "hunter2" });
    const response = await fetch(`${url}/login`, { method: "POST", body, headers: { "content-type": "application/json" } });
    assert.deepEqual(await response.json(), { received: { user: "alice", password: "hunter2" } });
    assert.equal(new TextDecoder().decode(inspected?.bytes), body);
  });

  it("inspects what express.json() already parsed when it ran first", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1024 * 1024, (content) => {
      inspected = content;
    });
    const app = express();
    app.use(express.json());
    app.use(async (req, _res, next) => {
      await p.protect(req);
      next();
    });
    app.post("/", (_req, res) => {
      res.end("ok");
    });
    const url = await listen(app);
    assert.equal(
      await (await fetch(url, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } })).text(),
      "ok",
    );
    assert.deepEqual(inspected?.parsed, { a: 1 });
  });

  it("reports no body for a GET", async () => {
    let inspected: BodyContent | undefined | "unset" = "unset";
    const p = bodyReadingClient(1024, (content) => {
      inspected = content;
    });
    const url = await listen(async (req, res) => {
      await p.protect(req);
      res.end("ok");
    });
    assert.equal(await (await fetch(url)).text(), "ok");
    assert.equal(inspected, undefined);
  });
});
