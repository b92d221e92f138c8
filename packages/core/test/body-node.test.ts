import assert from "node:assert/strict";
import { Agent, createServer, request as httpRequest, type RequestListener, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
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

/** An Express app where `parser` runs first, then protect(), then POST / answers "ok". */
function behindParser(parser: express.RequestHandler, p: Parapet): express.Express {
  const app = express();
  app.use(parser);
  app.use(async (req, _res, next) => {
    await p.protect(req);
    next();
  });
  app.post("/", (_req, res) => {
    res.end("ok");
  });
  return app;
}

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers with what the app read, the plain node:http way, after protect() looked at the body. */
function echoAfterProtect(p: Parapet): RequestListener {
  return async (req, res) => {
    await p.protect(req);
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => res.end(`got ${JSON.stringify(text)}`));
  };
}

const NO_RESPONSE = "no response within 2 s";

/** Writes `parts` to a new connection 50 ms apart and resolves with the response body, or NO_RESPONSE. */
function rawExchange(url: string, parts: readonly string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    const timer = setTimeout(() => socket.destroy(), 2_000);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      const split = received.indexOf("\r\n\r\n");
      resolve(split === -1 ? NO_RESPONSE : received.slice(split + 4));
    });
    for (const [index, part] of parts.entries()) setTimeout(() => socket.write(part), index * 50);
  });
}

/** Statuses of requests sent one after another on one keep-alive connection; NO_RESPONSE when one waits over 2 s. */
async function onOneConnection(url: string, requests: readonly { method: string; body?: Buffer }[]): Promise<(number | string)[]> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: (number | string)[] = [];
  try {
    for (const { method, body } of requests) {
      statuses.push(
        await new Promise<number | string>((resolve) => {
          const headers = body ? { "content-length": String(body.length) } : {};
          const req = httpRequest({ host: hostname, port: Number(port), method, agent, headers }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.setTimeout(2_000, () => {
            req.destroy();
            resolve(NO_RESPONSE);
          });
          req.on("error", () => resolve(NO_RESPONSE));
          req.end(body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return statuses;
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

  it("reads as far as each client's maxBodyBytes allows when several decide on one request", async () => {
    const seen: { client: string; bytes: number; truncated: boolean }[] = [];
    const clients = [
      ["site 1 KB", 1_000],
      ["route 8 KB", 8_000],
      ["other 2 KB", 2_000],
    ].map(([name, limit]) =>
      bodyReadingClient(limit as number, (content) =>
        seen.push({ client: name as string, bytes: content?.bytes.length ?? -1, truncated: content?.truncated ?? false }),
      ),
    );
    const url = await listen(async (req, res) => {
      for (const client of clients) await client.protect(req);
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => res.end(Buffer.concat(chunks).toString()));
    });
    const payload = JSON.stringify({ note: "z".repeat(5_000) });
    const response = await fetch(url, { method: "POST", body: payload, headers: { "content-type": "application/json" } });
    assert.equal(await response.text(), payload, "the app still reads the whole body");
    assert.deepEqual(seen, [
      { client: "site 1 KB", bytes: 1_000, truncated: true },
      // Was the site client's 1,000 bytes, cut: a route allowing 8 KB had its 5 KB body judged as not read whole.
      { client: "route 8 KB", bytes: payload.length, truncated: false },
      { client: "other 2 KB", bytes: 2_000, truncated: true },
    ]);
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
    const url = await listen(behindParser(express.json(), p));
    assert.equal(
      await (await fetch(url, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } })).text(),
      "ok",
    );
    assert.deepEqual(inspected?.parsed, { a: 1 });
  });

  const post = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (const [name, parts] of [
    ["an empty chunked body", [`${post}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`]],
    ["an empty chunked body whose terminator comes in a later packet", [`${post}Transfer-Encoding: chunked\r\n\r\n`, "0\r\n\r\n"]],
    ["Content-Length: 00", [`${post}Content-Length: 00\r\n\r\n`]],
  ] as const) {
    it(`leaves the end of ${name} for the app`, async () => {
      let inspected: BodyContent | undefined;
      const url = await listen(
        echoAfterProtect(
          bodyReadingClient(1024, (content) => {
            inspected = content;
          }),
        ),
      );
      assert.equal(await rawExchange(url, parts), 'got ""');
      assert.equal(inspected?.bytes.length ?? 0, 0);
    });
  }

  // node:http discards the unread rest of a body when the response finishes, unless someone read from it:
  // protect() reads, so it must leave the request looking unread, or the next request waits behind the rest.
  for (const [what, size, limit] of [
    ["it read whole", 300_000, 1024 * 1024],
    ["it read past maxBodyBytes of", 3_000_000, 64 * 1024],
  ] as const) {
    it(`keeps the connection usable when the app ignores a body ${what}`, async () => {
      const p = bodyReadingClient(limit, () => {});
      const url = await listen(async (req, res) => {
        await p.protect(req);
        res.writeHead(req.method === "POST" ? 401 : 200).end();
      });
      const statuses = await onOneConnection(url, [{ method: "POST", body: Buffer.alloc(size, 0x61) }, { method: "GET" }]);
      assert.deepEqual(statuses, [401, 200]);
    });
  }

  it("reports a body the client abandoned as truncated", async () => {
    let resolveRead: (content: BodyContent | undefined) => void = () => {};
    const read = new Promise<BodyContent | undefined>((resolve) => {
      resolveRead = resolve;
    });
    const p = bodyReadingClient(1024, resolveRead);
    const url = await listen(async (req, res) => {
      await p.protect(req);
      res.end();
    });
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.on("error", () => {});
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    setTimeout(() => socket.destroy(), 100);
    const inspected = await read;
    assert.equal(new TextDecoder().decode(inspected?.bytes), "abc");
    assert.equal(inspected?.truncated, true, "3 of 100 bytes is not the whole body");
  });

  it("inspects a Buffer from express.raw() as the bytes it holds", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1024, (content) => {
      inspected = content;
    });
    const url = await listen(behindParser(express.raw({ type: "*/*" }), p));
    const body = "<script>alert(1)</script>".padEnd(2_000, " ");
    assert.equal(await (await fetch(url, { method: "POST", body, headers: { "content-type": "text/plain" } })).text(), "ok");
    assert.equal(inspected?.parsed, undefined, "bytes, not an object of a property per byte");
    assert.equal(new TextDecoder().decode(inspected?.bytes), body.slice(0, 1024));
    assert.equal(inspected?.truncated, true);
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
