import assert from "node:assert/strict";
import { connect, createServer, type Http2Server, type Http2ServerRequest } from "node:http2";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { type BodyContent, parapet, silentLogger } from "../src/index.js";

const servers: Http2Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/**
 * An HTTP/2 server (node:http2's compatibility API, as Fastify's `http2: true` uses) whose one rule reads the
 * body; it answers with what protect() inspected and what the app read after it.
 */
async function h2Server(): Promise<string> {
  let inspected: BodyContent | undefined;
  const p = parapet({
    rules: [
      {
        type: "BODY_PROBE",
        mode: "LIVE",
        cost: 5,
        async evaluate(context) {
          inspected = await context.request.body();
          return { conclusion: "ALLOW", reason: { type: "TEST", message: "read" } };
        },
      },
    ],
    maxBodyBytes: 1024,
    // Short, so that a read waiting for an end it already consumed shows within the test's time.
    bodyTimeoutMs: 1_000,
    logger: silentLogger,
  });
  const server = createServer(async (req: Http2ServerRequest, res) => {
    await p.protect(req);
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => {
      const seen = inspected === undefined ? null : new TextDecoder().decode(inspected.bytes);
      res.end(JSON.stringify({ inspected: seen, truncated: inspected?.truncated ?? null, app: text }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One request on a new HTTP/2 session; `body` undefined sends none (END_STREAM with the headers). */
function h2Request(url: string, headers: Record<string, string>, body?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const session = connect(url);
    session.on("error", reject);
    const req = session.request(
      { ":method": body === undefined ? "GET" : "POST", ":path": "/", ...headers },
      { endStream: body === undefined },
    );
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => {
      session.close();
      resolve(JSON.parse(text) as Record<string, unknown>);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
  });
}

describe("reading an HTTP/2 request body (node:http2 compatibility API)", () => {
  const attack = "id=1' OR '1'='1";

  it("inspects a body with a Content-Length and leaves all of it for the app", async () => {
    // Its `complete` stays false until 'end' has been emitted: the read ran into that end, waited bodyTimeoutMs,
    // then put the bytes back after the end, and node's 'error' for that, with no listener, ended the process.
    const url = await h2Server();
    const answer = await h2Request(url, { "content-length": String(attack.length) }, attack);
    assert.deepEqual(answer, { inspected: attack, truncated: false, app: attack });
  });

  it("inspects a body sent without a Content-Length, which HTTP/2 does not require", async () => {
    // HTTP/1's rule (a body only with Content-Length or Transfer-Encoding) left it unread: no check saw it.
    const url = await h2Server();
    const answer = await h2Request(url, {}, attack);
    assert.deepEqual(answer, { inspected: attack, truncated: false, app: attack });
  });

  it("reports no body for a request that ended with its headers", async () => {
    const url = await h2Server();
    assert.deepEqual(await h2Request(url, {}), { inspected: null, truncated: null, app: "" });
  });
});
