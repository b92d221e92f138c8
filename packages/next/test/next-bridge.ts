/**
 * A node:http server that hands requests to Next.js-style code the way Next's
 * own server does: a real `NextRequest` from next/server goes through the
 * middleware, and on `NextResponse.next()` on to the route handler, whose
 * response gets the middleware's headers. It runs the shared adapter suite in
 * a second, with the framework's own request and response classes;
 * next-server.test.ts checks the real `next build` + `next start` (~20 s).
 *
 * Bodies travel as in Next's server: the route's request streams the
 * IncomingMessage itself, pulled only as it is read, so a body nobody reads is
 * left for node:http to discard; the middleware's reads a copy from Next's own
 * getCloneableBody, which buffers the body for the route.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { onLoopback, type RunningServer } from "@parapet/node/test-suite";
import { getCloneableBody } from "next/dist/server/body-streams.js";
import { NextRequest } from "next/server.js";

export type RouteHandler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type Middleware = (request: NextRequest) => Promise<Response>;

/** The TCP peer of each bridged request, for the adapter's `socketIp` option. */
export const peers = new WeakMap<Request, string>();

export async function startBridge(routes: Readonly<Record<string, RouteHandler>>, middleware?: Middleware): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handle(req, res, routes, middleware).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return onLoopback(server);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Readonly<Record<string, RouteHandler>>,
  middleware: Middleware | undefined,
): Promise<void> {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  let response: Response | undefined;
  let passOn: Headers | undefined;
  if (middleware) {
    const cloneable = hasBody ? getCloneableBody(req) : undefined;
    try {
      const result = await middleware(nextRequest(req, cloneable?.cloneBodyStream()));
      if (result.headers.get("x-middleware-next") === "1") passOn = result.headers;
      else response = result;
    } finally {
      await cloneable?.finalize();
    }
  }
  if (!response) {
    const request = nextRequest(req, hasBody ? req : undefined);
    const route = routes[`${request.method} ${request.nextUrl.pathname}`];
    response = route ? await route(request, { params: Promise.resolve({}) }) : new Response("not found", { status: 404 });
  }
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  passOn?.forEach((value, name) => {
    if (!name.startsWith("x-middleware-")) out[name] = value;
  });
  res.writeHead(response.status, out);
  if (response.body) Readable.fromWeb(response.body as unknown as NodeReadableStream).pipe(res);
  else res.end();
}

/** Like Next's NextRequestAdapter: a Node stream as the body, which undici reads as an async iterable, on demand. */
function nextRequest(req: IncomingMessage, body: Readable | undefined): NextRequest {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const init = { method: req.method ?? "GET", headers, ...(body ? { body, duplex: "half" } : {}) };
  const request = new NextRequest(`http://${req.headers.host}${req.url}`, init as unknown as ConstructorParameters<typeof NextRequest>[1]);
  if (req.socket.remoteAddress) peers.set(request, req.socket.remoteAddress);
  return request;
}
