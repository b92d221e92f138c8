import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { after, describe, it } from "node:test";
import { createClientIpResolver, fixedWindow, type NodeRequestLike, normalizeRequest, parapet, silentLogger } from "../src/index.js";

const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A node:http server that answers with `answer(req)`; `options` as for http.createServer. */
async function serve(answer: (req: IncomingMessage) => Promise<string>, options: { joinDuplicateHeaders?: boolean } = {}) {
  const server = createServer(options, async (req, res) => res.end(await answer(req)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `head` (request line and headers, CRLF-separated, no blank line) and resolves with the response body. */
function send(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${head}\r\nConnection: close\r\n\r\n`));
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => resolve(received.slice(received.indexOf("\r\n\r\n") + 4)));
  });
}

describe("repeated headers are read as the app reads them", () => {
  it("keys a limit on `header:authorization` by the token node:http gives the app, whatever follows it", async () => {
    const p = parapet({
      rules: [fixedWindow({ max: 2, window: "1m", characteristics: ["header:authorization"] })],
      logger: silentLogger,
    });
    const port = await serve(async (req) => `${(await p.protect(req)).conclusion} ${req.headers.authorization}`);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      // The app authenticates "Bearer alice"; joined, the second header made a new key on every request.
      answers.push(await send(port, `GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer alice\r\nAuthorization: junk-${i}`));
    }
    assert.deepEqual(answers, ["ALLOW Bearer alice", "ALLOW Bearer alice", "DENY Bearer alice", "DENY Bearer alice"]);
  });

  it("follows node:http for each kind of header, and joins all when the server sets joinDuplicateHeaders", async () => {
    const head =
      "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: first\r\nuser-agent: second\r\nX-Api-Key: a\r\nx-api-key: b\r\nCookie: c=1\r\nCookie: d=2";
    const names = ["user-agent", "x-api-key", "cookie", "host"];
    const answer = async (req: IncomingMessage) => {
      const normalized = normalizeRequest(
        req as unknown as NodeRequestLike,
        {},
        {
          resolver: createClientIpResolver(),
          maxBodyBytes: 1024,
          bodyTimeoutMs: 1000,
        },
      );
      const looked = names.map((name) => normalized.header(name)); // before the record exists
      const recorded = names.map((name) => normalized.headers[name]);
      const nodes = names.map((name) => req.headers[name]);
      return JSON.stringify({ looked, recorded, nodes });
    };
    for (const joinDuplicateHeaders of [false, true]) {
      const port = await serve(answer, { joinDuplicateHeaders });
      const { looked, recorded, nodes } = JSON.parse(await send(port, head)) as Record<string, string[]>;
      assert.deepEqual(recorded, nodes, `joinDuplicateHeaders: ${joinDuplicateHeaders}`);
      assert.deepEqual(looked, nodes, `header(name), joinDuplicateHeaders: ${joinDuplicateHeaders}`);
    }
  });

  it("still joins repeats of a Web Request or a plain object, which are what the app reads there", async () => {
    const headers = new Headers([
      ["authorization", "a"],
      ["authorization", "b"],
    ]);
    const options = { resolver: createClientIpResolver(), maxBodyBytes: 1024, bodyTimeoutMs: 1000, socketIp: "192.0.2.1" };
    assert.equal(normalizeRequest(new Request("http://h.test/", { headers }), {}, options).headers.authorization, "a, b");
    const plain = normalizeRequest({ url: "/", headers: { authorization: ["a", "b"] } }, {}, options);
    assert.equal(plain.headers.authorization, "a, b");
  });
});
