import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@parapet/core";
import type { DecisionLogQuery } from "@parapet/observe";
import { handleApi } from "./api.js";
import { authenticate, clearedSessionCookie, presentedToken, sessionCookie, sessionIds } from "./auth.js";
import { applySecurityHeaders, sendError, sendJson } from "./headers.js";
import type { LiveHub } from "./live.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { SessionStore } from "./sessions.js";
import type { StaticFile } from "./static-files.js";

export interface ServerContext {
  readonly token: string;
  readonly cookie: string;
  readonly sessions: SessionStore;
  /** The cookie's Max-Age: the sessions' absolute lifetime. */
  readonly sessionMaxAgeMs: number;
  readonly throttle: LoginThrottle;
  readonly query: DecisionLogQuery;
  readonly hub: LiveHub;
  readonly files: ReadonlyMap<string, StaticFile>;
  /** Host header values accepted; undefined accepts any (only with allowRemote). */
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

/** The one request that changes state. POST, so that no link, image or prefetch can log the user out. */
const LOGOUT_PATH = "/api/logout";

/**
 * Every request passes the same gates, in order: security headers, GET/HEAD
 * only (and POST to log out), Host check (DNS rebinding), no cross-site
 * fetches, the login throttle, then the token or session. Only then is it
 * routed to the live tail, the JSON API or a static file.
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
  const loggingOut = request.method === "POST" && request.url === LOGOUT_PATH;
  if (request.method !== "GET" && request.method !== "HEAD" && !loggingOut) {
    response.setHeader("allow", "GET, HEAD");
    return sendError(response, 405, "the dashboard is read-only: use GET (and POST /api/logout to log out)");
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
  if (loggingOut) return logOut(request, response, context);
  let url: URL;
  try {
    url = new URL(request.url ?? "/", "http://dashboard.invalid");
  } catch {
    return sendError(response, 400, "the request URL could not be parsed");
  }

  // A client that sent too many wrong tokens may not present another yet; it is refused before any comparison.
  const client = request.socket.remoteAddress ?? "unknown";
  if (presentedToken(request, url) !== undefined) {
    const waitMs = context.throttle.waitMs(client);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      response.setHeader("retry-after", String(seconds));
      return sendError(response, 429, `too many wrong tokens from this address: wait ${seconds} s before trying again`);
    }
  }
  const auth = authenticate(request, url, context.token, context.cookie, context.sessions);
  if (auth.status === "missing" || auth.status === "wrong" || auth.status === "ended") {
    if (auth.status === "wrong") context.throttle.failed(client);
    if (auth.status === "ended") response.setHeader("set-cookie", clearedSessionCookie(context.cookie));
    response.setHeader("www-authenticate", 'Bearer realm="parapet-dashboard"');
    const hint = {
      missing: "a token is required",
      wrong: "the token is wrong",
      ended: "your session has ended (it expired, you logged out, or the dashboard was restarted)",
    }[auth.status];
    return sendError(
      response,
      401,
      `${hint}: open the URL the dashboard printed at start (with ?token=) or send Authorization: Bearer <token>`,
    );
  }
  if (auth.status === "from-query") {
    context.throttle.succeeded(client);
    // A fresh session at every login; the ones this browser held end (no session outlives a new login).
    for (const id of sessionIds(request, context.cookie)) context.sessions.end(id);
    context.hub.revalidate();
    url.searchParams.delete("token");
    response.setHeader("set-cookie", sessionCookie(context.cookie, context.sessions.create(), context.sessionMaxAgeMs));
    // One leading slash: a path that starts with two ("/.//evil.example/" normalizes to one) is a link to another host.
    response.setHeader("location", `${url.pathname.replace(/^\/+/, "/")}${url.search}`);
    response.writeHead(303);
    response.end();
    return;
  }
  const session = auth.session;
  if (session === undefined) context.throttle.succeeded(client);

  if (url.pathname === LOGOUT_PATH) {
    response.setHeader("allow", "POST");
    return sendError(response, 405, "log out with POST");
  }
  if (url.pathname === "/api/session") {
    return sendJson(response, 200, { via: session === undefined ? "token" : "session" });
  }
  if (url.pathname === "/api/live") {
    if (request.method !== "GET") return sendError(response, 405, "the live tail is an event stream: use GET");
    // A tail opened with a session lasts as long as the session (checked on every heartbeat, and at logout).
    return context.hub.attach(response, session === undefined ? () => true : () => context.sessions.touch(session));
  }
  if (url.pathname.startsWith("/api/")) {
    const handled = await handleApi(url.pathname, url.searchParams, response, {
      query: context.query,
      now: context.now,
      logger: context.logger,
    });
    if (!handled) {
      sendError(response, 404, "no such API endpoint; see /api/overview, /api/top, /api/decisions, /api/alerts, /api/live, /api/session");
    }
    return;
  }
  const file = context.files.get(url.pathname);
  if (!file) return sendError(response, 404, "not found");
  response.writeHead(200, { "content-type": file.type, "content-length": file.body.length });
  response.end(request.method === "HEAD" ? undefined : file.body);
}

/**
 * Ends the sessions the request's cookies name and clears the cookie. Needs no valid session: ending one that is
 * already over changes nothing. Forged logouts are stopped by the gates before (a cross-site or same-site
 * Sec-Fetch-Site is refused, and the SameSite=Strict cookie is not sent cross-site) and by the Origin check here,
 * for browsers that send Origin but not Sec-Fetch-Site.
 */
function logOut(request: IncomingMessage, response: ServerResponse, context: ServerContext): void {
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request.headers.host)) {
    sendError(response, 403, "cross-origin requests are refused");
    return;
  }
  for (const id of sessionIds(request, context.cookie)) context.sessions.end(id);
  // Tails opened with those sessions end now, not at their next heartbeat.
  context.hub.revalidate();
  response.setHeader("set-cookie", clearedSessionCookie(context.cookie));
  response.writeHead(204);
  response.end();
}

function isOwnOrigin(origin: string, host: string | undefined): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === (host ?? "").toLowerCase();
  } catch {
    return false;
  }
}
