import { once } from "node:events";
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { type Parapet, parapet, silentLogger } from "@parapet/core";
import { shield } from "../src/index.js";

/** A node:http app on 127.0.0.1 behind `protect()`: a denial answers with the reason; otherwise the app echoes the body it read. */
export interface App {
  readonly url: string;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  /** The denial's reason, or what the app read: `{ got }`, the body decoded as body-parser would. */
  readonly json: Record<string, unknown>;
}

/**
 * A LIVE shield with default options in front of the app, for the enclosing describe(): started before its tests,
 * closed after them. Its `url` is readable once the tests run.
 */
export function liveShieldApp(): { readonly url: string } {
  let client: Parapet | undefined;
  let app: App | undefined;
  before(async () => {
    client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    app = await startApp(client);
  });
  after(async () => {
    await app?.close();
    await client?.close();
  });
  return {
    get url() {
      if (app === undefined) throw new Error("liveShieldApp(): the app starts in before(); read `url` inside a test");
      return app.url;
    },
  };
}

export async function startApp(client: Parapet): Promise<App> {
  const server = createServer(async (req, res) => {
    const decision = await client.protect(req);
    if (decision.isDenied()) {
      // The app does not read a denied body: close rather than leave it in a keep-alive connection.
      res.writeHead(decision.status, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify(decision.reason));
      req.resume();
      return;
    }
    try {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ got: await readAsBodyParser(req) }));
    } catch (error) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ appError: String(error) }));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The body as body-parser reads it: inflated from one Content-Encoding, then UTF-8. */
async function readAsBodyParser(req: IncomingMessage): Promise<string> {
  const coding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  const stream =
    coding === "gzip"
      ? req.pipe(createGunzip())
      : coding === "deflate"
        ? req.pipe(createInflate())
        : coding === "br"
          ? req.pipe(createBrotliDecompress())
          : req;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function post(url: string, headers: Record<string, string>, body: Uint8Array | string | FormData): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(5_000) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Sends `first`, waits `pauseMs`, then sends `rest`: a body that arrives slowly (chunked, no Content-Length). */
export function postSlowly(url: string, headers: Record<string, string>, first: string, pauseMs: number, rest: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      res.on("error", reject);
    });
    req.on("error", (error) => {
      // A denial may close the connection before the rest is sent; the answer has arrived by then.
      if ((error as NodeJS.ErrnoException).code !== "EPIPE" && (error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.write(first);
    setTimeout(() => req.end(rest), pauseMs);
  });
}
