import { createServer, type Server } from "node:http";

/**
 * The dashboard's HTTP server, with bounds Node's defaults do not give. Anyone who can reach the port can open
 * connections before any token is checked, and in process (`startDashboard({ observer })`) every one of them is a
 * file descriptor of the app itself: with the defaults, a connection that sends nothing was kept 90 s (60 s of
 * headers timeout, checked every 30 s) and their number was unbounded, so a loop opening sockets could use up the
 * app's descriptors and stop it accepting its own clients.
 */

/** A browser uses at most 6 connections per host, and at most 32 live tails are served; the rest is headroom. */
export const MAX_CONNECTIONS = 128;
/** Browsers and proxies send a request's headers at once; a client still sending them after this is stalling. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included (the API takes none; a 405's unread body is still drained). */
const REQUEST_TIMEOUT_MS = 15_000;
/** How often the two timeouts above are checked; Node's default of 30 s would add up to that much to each. */
const TIMEOUT_CHECK_MS = 1_000;

export function createDashboardServer(): Server {
  const server = createServer({
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
  // Connections past the bound are closed as they arrive. Live tails are long-lived, but answered requests are
  // not: an idle keep-alive connection is closed after Node's 5 s keepAliveTimeout.
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}
