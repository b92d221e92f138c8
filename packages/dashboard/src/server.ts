import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@parapet/core";
import type { DecisionLogQuery } from "@parapet/observe";
import { handleApi } from "./api.js";
import { authenticate, sessionCookie } from "./auth.js";
import { applySecurityHeaders, sendError } from "./headers.js";
import type { LiveHub } from "./live.js";
import type { StaticFile } from "./static-files.js";

export interface ServerContext {
  readonly token: string;
  readonly cookie: string;
  readonly query: DecisionLogQuery;
  readonly hub: LiveHub;
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Host header values accepted; undefined accepts any (only with allowRemote). */
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * Every request passes the same gates, in order: security headers, GET/HEAD
 * only, Host check (DNS rebinding), no cross-site fetches, token. Only then
 * is it routed to the live tail, the JSON API or a static file.
 */
export function createRequestHandler(context: ServerContext): (request: IncomingMessage, response: ServerResponse) => void {
  return function handleDashboardRequest(request, response) {
    handle(request, response, context).catch((error: unknown) => {
      context.logger.error("dashboard: request failed", { error: String(error) });
      if (!response.headersSent) sendError(response, 500, "internal error; see the dashboard's log");
      else response.destroy();
    });
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, context: ServerContext): Promise<void> {
  applySecurityHeaders(response);
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    return sendError(response, 405, "the dashboard is read-only: use GET");
  }
  // A DNS-rebinding page reaches 127.0.0.1 under its own host name; refuse any Host we did not bind to.
  const hosts = context.allowedHosts;
  if (hosts && !hosts.has((request.headers.host ?? "").toLowerCase())) {
    return sendError(response, 421, "unexpected Host header; open the dashboard by the URL it printed");
  }
  // Browsers label every request; another site's page may not read or drive this one.
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return sendError(response, 403, "cross-site requests are refused");
  }
  let url: URL;
  try {
    url = new URL(request.url ?? "/", "http://dashboard.invalid");
  } catch {
    return sendError(response, 400, "the request URL could not be parsed");
  }

  const auth = authenticate(request, url, context.token, context.cookie);
  if (auth === "missing" || auth === "wrong") {
    response.setHeader("www-authenticate", 'Bearer realm="parapet-dashboard"');
    const hint = auth === "missing" ? "a token is required" : "the token is wrong";
    return sendError(
      response,
      401,
      `${hint}: open the URL the dashboard printed at start (with ?token=) or send Authorization: Bearer <token>`,
    );
  }
  if (auth === "from-query") {
    url.searchParams.delete("token");
    response.setHeader("set-cookie", sessionCookie(context.cookie, context.token));
    // One leading slash: a path that starts with two ("/.//evil.example/" normalizes to one) is a link to another host.
    response.setHeader("location", `${url.pathname.replace(/^\/+/, "/")}${url.search}`);
    response.writeHead(303);
    response.end();
    return;
  }

  if (url.pathname === "/api/live") {
    if (request.method !== "GET") return sendError(response, 405, "the live tail is an event stream: use GET");
    return context.hub.attach(response);
  }
  if (url.pathname.startsWith("/api/")) {
    const handled = await handleApi(url.pathname, url.searchParams, response, {
      query: context.query,
      now: context.now,
      logger: context.logger,
    });
    if (!handled) sendError(response, 404, "no such API endpoint; see /api/overview, /api/top, /api/decisions, /api/alerts, /api/live");
    return;
  }
  const file = context.files.get(url.pathname);
  if (!file) return sendError(response, 404, "not found");
  response.writeHead(200, { "content-type": file.type, "content-length": file.body.length });
  response.end(request.method === "HEAD" ? undefined : file.body);
}
