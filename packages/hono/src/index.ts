import type { IncomingMessage, ServerResponse } from "node:http";
import type { Decision, Parapet } from "@parapet/core";
import {
  abortStartedResponse,
  clientLeft,
  denialHeaders,
  denialJson,
  discardUnreadBody,
  releaseUnreadBody,
  safeDecide,
  stackedHeaders,
} from "@parapet/node";
import type { Context, MiddlewareHandler } from "hono";
import type { GetConnInfo } from "hono/conninfo";
import { inspectableRequest } from "./inspectable-request.js";
import { withMissingHeaders } from "./missing-headers.js";

/** Type the app with `new Hono<{ Variables: ParapetVariables }>()` to read `c.get("parapet")`. */
export interface ParapetVariables {
  parapet: Decision;
}

export interface ParapetHonoOptions {
  /**
   * The runtime's connection info, for the TCP peer address: pass `getConnInfo`
   * from `@hono/node-server/conninfo`, `hono/bun`, `hono/deno`… Without it the
   * peer is read from @hono/node-server's bindings when present; elsewhere the
   * client IP is "unknown" unless `platform` or `proxies` on the client name a
   * header to trust: IP-keyed rules then return an ERROR decision, which lets
   * every request through unless the client has `onError: "closed"`.
   */
  readonly getConnInfo?: GetConnInfo;
  /** Values for characteristics and rules, e.g. `(c) => ({ userId: c.get("user")?.id })`. */
  readonly extra?: (c: Context) => Readonly<Record<string, unknown>>;
  /**
   * Answers a denial yourself; the default returns `decision.status` with a small JSON body. The response gets the
   * decision's RateLimit and Retry-After headers unless it sets them itself.
   */
  readonly onDenied?: (decision: Decision, c: Context) => Response | Promise<Response>;
}

/**
 * Hono middleware. The body is read (only if a rule asks) from a clone of
 * `c.req.raw`, so `c.req.json()` still works in the handler; if the handler
 * ignores it, or the request is denied, the rest is read and dropped so the
 * connection can carry the next request. A body a validator before it read
 * is inspected as Hono kept it. A request whose client closed the connection
 * before the decision goes no further.
 */
export function parapet(client: Parapet, options: ParapetHonoOptions = {}): MiddlewareHandler<{ Variables: ParapetVariables }> {
  if (!client || typeof client.protect !== "function") {
    throw new TypeError("parapet(client) for Hono: pass the client created with parapet({ rules: [...] }) from @parapet/core");
  }
  const { getConnInfo, extra, onDenied } = options;
  return async function parapetHono(c, next) {
    const socketIp = peerAddress(c, getConnInfo);
    const inspectable = inspectableRequest(c);
    const request = inspectable instanceof Promise ? await inspectable : inspectable;
    const decided = safeDecide(client, request, extra ? () => extra(c) : undefined, socketIp ? { socketIp } : undefined);
    // Awaited only when the client had to wait: each await is a trip through the microtask queue.
    const decision = decided instanceof Promise ? await decided : decided;
    // Set by a Parapet middleware that ran before this one (a global limit, this one a stricter one on a route).
    const headers = stackedHeaders(c.get("parapet"), decision);
    c.set("parapet", decision);
    if (clientGone(c)) return new Response(null, { status: CLIENT_CLOSED_REQUEST });
    if (decision.isDenied()) {
      const started = startedNodeResponse(c);
      if (started) {
        abortStartedResponse(started, decision, client.logger);
        return alreadySent();
      }
      const response = await deny(decision, c, onDenied, headers);
      discardUnreadBody(c.req.raw, response);
      return response;
    }
    await next();
    // Not drained before the response is sent: a streaming response may still read the request.
    const released = releaseUnreadBody(c.req.raw, c.res);
    if (released !== c.res) c.res = released;
    // A Parapet middleware after this one decided too, and set the headers of both decisions (see stackedHeaders).
    if (c.get("parapet") !== decision) return;
    // After next(): c.header() copies an immutable response (e.g. from fetch) before setting.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}

async function deny(
  decision: Decision,
  c: Context,
  onDenied: ParapetHonoOptions["onDenied"],
  headers: Readonly<Record<string, string>>,
): Promise<Response> {
  if (onDenied) {
    try {
      return withMissingHeaders(await onDenied(decision, c), headers);
    } catch {
      // A broken custom denial must still deny.
    }
  }
  return new Response(denialJson(decision), { status: decision.status, headers: denialHeaders(decision, headers) });
}

/**
 * What a client that left before the decision is "answered": nobody reads it,
 * and the app does not run (see clientLeft in @parapet/node: its IP is gone
 * with its connection). 499 is the status nginx logs for such a request.
 */
const CLIENT_CLOSED_REQUEST = 499;

interface NodeServerBindings {
  readonly incoming?: IncomingMessage;
  readonly outgoing?: ServerResponse;
  readonly server?: NodeServerBindings;
}

/**
 * The header by which a response tells @hono/node-server that the app answered through `outgoing` itself and
 * nothing is left to write (its RESPONSE_ALREADY_SENT; the package is not a dependency of this one).
 */
const ALREADY_SENT = "x-hono-already-sent";

/**
 * A response @hono/node-server writes nothing for. It honours ALREADY_SENT only on a runtime Response: its own
 * lighter Response class (which it installs as the global one) goes straight to writeHead(), which throws on
 * the started response and prints a stack. Response.error() is always built by the runtime's own class.
 */
function alreadySent(): Response {
  const RuntimeResponse = Response.error().constructor as typeof Response;
  return new RuntimeResponse(null, { headers: { [ALREADY_SENT]: "true" } });
}

/**
 * The node response, when a middleware before Parapet wrote to it directly (`c.env.outgoing`), the only way a
 * Hono app starts its answer before a middleware returns. @hono/node-server would then append its own error
 * text to the written part and end it as a complete 200.
 */
function startedNodeResponse(c: Context): ServerResponse | undefined {
  try {
    const env = c.env as NodeServerBindings | undefined;
    const outgoing = (env?.server ?? env)?.outgoing;
    return outgoing?.headersSent ? outgoing : undefined;
  } catch {
    return undefined;
  }
}

/** @hono/node-server passes { incoming, outgoing } as env (under `server` when the app has its own bindings). */
function nodeIncoming(c: Context): IncomingMessage | undefined {
  const env = c.env as NodeServerBindings | undefined;
  return (env?.server ?? env)?.incoming;
}

function peerAddress(c: Context, getConnInfo: GetConnInfo | undefined): string | undefined {
  try {
    if (getConnInfo) return getConnInfo(c).remote.address;
    return nodeIncoming(c)?.socket?.remoteAddress;
  } catch {
    return undefined;
  }
}

/** On Node the socket says it; other runtimes abort the request's signal when the client disconnects. */
function clientGone(c: Context): boolean {
  try {
    const incoming = nodeIncoming(c);
    if (incoming?.socket) return clientLeft(incoming);
    return c.req.raw.signal?.aborted === true;
  } catch {
    return false;
  }
}
