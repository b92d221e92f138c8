import { isIP } from "node:net";
import { type Clock, consoleLogger, type Logger, messageOf, optionError } from "@parapet/core";
import { createQuery, type DecisionLogQuery, type SqlDriver } from "@parapet/observe";
import { cookieName, generateToken, isAcceptableToken } from "./auth.js";
import { createDashboardServer } from "./http-server.js";
import { createLiveHub, type LiveSource, pollingSource } from "./live.js";
import { createLoginThrottle } from "./login-throttle.js";
import { createRequestHandler } from "./server.js";
import { createSessionStore, SESSION_LIMITS } from "./sessions.js";
import { loadStaticFiles } from "./static-files.js";

export interface DashboardOptions {
  /** The decision log to read (`sqliteLog()`, `postgresLog()`); the caller keeps ownership and closes it. */
  readonly log?: SqlDriver;
  /** Or a query object directly (`observed.query`). One of `log` and `query` is required. */
  readonly query?: DecisionLogQuery;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote: true`. */
  readonly host?: string;
  /** Default 3001; 0 picks a free port. */
  readonly port?: number;
  /** Default: 24 random bytes, printed by the caller from the returned `loginUrl`. */
  readonly token?: string;
  /** A `createLiveFeed()` also passed to `parapet({ observers })`: the tail then needs no polling. */
  readonly observer?: LiveSource;
  /** Polling interval of the live tail when no observer is given. Default 1,000 ms. */
  readonly pollIntervalMs?: number;
  /** Serve on a non-loopback address. The token is then all that protects the data: put TLS in front. */
  readonly allowRemote?: boolean;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface Dashboard {
  /** The base URL, without the token. */
  readonly url: string;
  /** The URL to open once: it carries the token, which the dashboard swaps for a session cookie. */
  readonly loginUrl: string;
  readonly token: string;
  readonly port: number;
  /** Stops the server and ends live tails. Does not close the log. */
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  if (!options || typeof options !== "object")
    throw optionError("startDashboard", "pass an options object: startDashboard({ log: sqliteLog() })");
  const query = options.query ?? (options.log ? createQuery(options.log) : undefined);
  if (!query) throw optionError("startDashboard", "pass `log` (sqliteLog()/postgresLog()) or `query` (observed.query)");
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw optionError(
      "startDashboard",
      `host ${host} is not loopback; the dashboard shows client data, so pass allowRemote: true only behind TLS`,
    );
  }
  const port = options.port ?? 3001;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw optionError("startDashboard", "`port` must be an integer from 0 to 65535");
  const token = options.token ?? generateToken();
  if (typeof token !== "string" || !isAcceptableToken(token)) {
    throw optionError("startDashboard", "`token` must be 16-256 URL-safe characters (letters, digits, . _ ~ -); omit it to generate one");
  }
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 50)
    throw optionError("startDashboard", "`pollIntervalMs` must be an integer >= 50");
  const logger = options.logger ?? consoleLogger;
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();

  const source = options.observer ?? pollingSource(query, { intervalMs: pollIntervalMs, now, logger });
  const hub = createLiveHub(source);
  const files = loadStaticFiles();
  // The handler is attached once the port is known: the cookie name and the Host check both include it.
  const server = createDashboardServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw optionError("startDashboard", `cannot listen on ${host}:${port} (${messageOf(error)}); pick another --port or stop what uses it`);
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const allowedHosts = isLoopback(host) ? loopbackHostHeaders(host, boundPort) : undefined;
  server.on(
    "request",
    createRequestHandler({
      token,
      cookie: cookieName(boundPort),
      sessions: createSessionStore(now),
      sessionMaxAgeMs: SESSION_LIMITS.absoluteMs,
      throttle: createLoginThrottle(now),
      query,
      hub,
      files,
      allowedHosts,
      now,
      logger,
    }),
  );
  const url = `http://${hostForUrl(host)}:${boundPort}/`;

  return {
    url,
    loginUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Also read by the CLI, which says the same in terms of its flags. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * The Host headers a browser sends to this dashboard. On port 80, the default, browsers leave the port out
 * (`http://127.0.0.1:80/` is sent as `Host: 127.0.0.1`), so the bare names count too; elsewhere the port must match.
 */
function loopbackHostHeaders(host: string, port: number): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]", hostForUrl(host)];
  return new Set(names.flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`])));
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
