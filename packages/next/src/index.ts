/**
 * Parapet for Next.js (App Router route handlers, and middleware / proxy).
 *
 * Client IP: Next.js no longer exposes `request.ip`, and a route handler
 * never sees the TCP peer. So tell Parapet where the address comes from:
 * - on Vercel: `parapet({ platform: "vercel", rules })` trusts `x-vercel-forwarded-for`;
 * - `proxies` cannot help: it checks the TCP peer, which never reaches a
 *   handler or proxy/middleware under `next start` (tested against a real server);
 * - self-hosted, only when the server is reachable solely through your reverse
 *   proxy and that proxy overwrites a header (e.g. X-Real-IP): pass
 *   `socketIp: (request) => request.headers.get("x-real-ip") ?? undefined`.
 *   Not X-Forwarded-For: Next keeps a value the client sent;
 * - with a custom server that knows the socket: pass `socketIp: (request) => …`.
 * Otherwise the IP is "unknown", and IP-keyed rules return an ERROR decision
 * (failing open or closed as the client's `onError` says) rather than
 * counting every client under one key or believing a header anyone can send.
 */
import type { Decision, Parapet } from "@parapet/core";
import { discardUnreadBody, releaseUnreadBody, safeProtect } from "@parapet/node";
import { NextResponse } from "next/server.js";
import { customDenial, withDecisionHeaders } from "./response.js";

export { denialResponse, withDecisionHeaders } from "./response.js";

export interface ParapetNextOptions {
  /** The TCP peer address when your server knows it (a custom server); see the module comment. */
  readonly socketIp?: (request: Request) => string | undefined;
  /** Values for characteristics and rules, e.g. `(request) => ({ userId: sessionUser(request) })`. */
  readonly extra?: (request: Request) => Readonly<Record<string, unknown>>;
  /** Answers a denial yourself; the default returns `decision.status` with a small JSON body. */
  readonly onDenied?: (decision: Decision, request: Request) => Response | Promise<Response>;
}

/** Decides on a Web Request with the options' peer address and extra values. Never rejects. */
export function protectRequest(client: Parapet, request: Request, options: ParapetNextOptions = {}): Promise<Decision> {
  const { socketIp, extra } = options;
  let peer: string | undefined;
  try {
    peer = socketIp?.(request);
  } catch {
    peer = undefined;
  }
  return safeProtect(client, request, extra ? () => extra(request) : undefined, peer ? { socketIp: peer } : undefined);
}

/**
 * Wraps an App Router route handler: `export const GET = withParapet(client, async (request) => …)`.
 * The body is read (only if a rule asks) from a clone, so `request.json()` still works; if the
 * handler ignores it, or the request is denied, the rest is read and dropped so the
 * keep-alive connection is not left waiting behind it.
 */
export function withParapet<Req extends Request, Ctx>(
  client: Parapet,
  handler: (request: Req, context: Ctx) => Response | Promise<Response>,
  options: ParapetNextOptions = {},
): (request: Req, context: Ctx) => Promise<Response> {
  assertClient(client, "withParapet(client, handler)");
  if (typeof handler !== "function")
    throw new TypeError("withParapet(client, handler): `handler` must be a route handler (request, context) => Response");
  return async function parapetRouteHandler(request, context) {
    const decision = await protectRequest(client, request, options);
    if (decision.isDenied()) {
      const denial = await customDenial(options.onDenied, decision, request);
      discardUnreadBody(request, denial);
      return denial;
    }
    let response: Response;
    try {
      response = withDecisionHeaders(await handler(request, context), decision);
    } catch (error) {
      discardUnreadBody(request);
      throw error;
    }
    // Not drained before the response is sent: a streaming response may still read the request.
    return releaseUnreadBody(request, response);
  };
}

/**
 * For `middleware.ts` (`proxy.ts` from Next.js 16): `export const middleware = parapetMiddleware(client)`.
 * Allowed requests continue (`NextResponse.next()`) carrying the RateLimit headers.
 */
export function parapetMiddleware(client: Parapet, options: ParapetNextOptions = {}): (request: Request) => Promise<Response> {
  assertClient(client, "parapetMiddleware(client)");
  return async function parapetNextMiddleware(request) {
    const decision = await protectRequest(client, request, options);
    if (decision.isDenied()) return customDenial(options.onDenied, decision, request);
    return withDecisionHeaders(NextResponse.next(), decision);
  };
}

function assertClient(client: Parapet, where: string): void {
  if (!client || typeof client.protect !== "function") {
    throw new TypeError(`${where}: pass the client created with parapet({ rules: [...] }) from @parapet/core`);
  }
}
