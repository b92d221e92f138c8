import type { AddressInfo } from "node:net";
import { createLiveFeed, startDashboard } from "@parapet/dashboard";
import { blockListRule, observe, sqliteLog } from "@parapet/observe";
import { createApp } from "./app.js";

const rawPort = process.env.PORT ?? "3000";
const port = Number(rawPort);
if (!/^\d{1,5}$/.test(rawPort) || port > 65_535) {
  console.error(`PORT must be a number from 0 to 65535, got "${process.env.PORT}"`);
  process.exit(1);
}

// Every decision goes to the embedded SQLite log (zero setup); the detectors
// behind it can put a scanning client on the block list the site rules consult.
const dbPath = process.env.PARAPET_DB ?? ".parapet/decisions.db";
const observed = openDecisionLog(dbPath);

function openDecisionLog(path: string): ReturnType<typeof observe> {
  try {
    return observe({ store: sqliteLog({ path }), handleSignals: false });
  } catch (error) {
    // A broken or unwritable log is a setup problem: say what to fix, without a stack trace.
    console.error(`secure-api: ${error instanceof Error ? error.message : String(error)}`);
    console.error("Set PARAPET_DB to a writable file, or run `npm rebuild better-sqlite3` if Node.js was upgraded.");
    process.exit(1);
  }
}
const liveFeed = createLiveFeed();
const api = createApp({
  observers: [observed.observer, liveFeed],
  firstRules: [blockListRule(observed.blockList)],
  onResponse: (decision, status) => observed.recordStatus(decision, status),
});
const server = api.app.listen(port, "127.0.0.1", () => {
  const { port: bound } = server.address() as AddressInfo;
  console.log(`secure-api listening on http://127.0.0.1:${bound} (decisions logged to ${dbPath})`);
});
// The dashboard listens on loopback only and answers 401 without its token.
const rawDashboardPort = process.env.DASHBOARD_PORT ?? "3001";
const dashboardPort = Number(rawDashboardPort);
if (!/^\d{1,5}$/.test(rawDashboardPort) || dashboardPort > 65_535) {
  console.error(`DASHBOARD_PORT must be a number from 0 to 65535, got "${process.env.DASHBOARD_PORT}"`);
  process.exit(1);
}
const query = observed.query;
const dashboardReady = query
  ? startDashboard({
      query,
      host: "127.0.0.1",
      port: dashboardPort,
      observer: liveFeed,
      ...(process.env.PARAPET_DASHBOARD_TOKEN ? { token: process.env.PARAPET_DASHBOARD_TOKEN } : {}),
    }).then(
      (dashboard) => {
        console.log(`dashboard: ${dashboard.loginUrl}`);
        return dashboard;
      },
      (error: Error) => {
        console.error(`dashboard could not start on 127.0.0.1:${dashboardPort}: ${error.message}`);
        return undefined;
      },
    )
  : Promise.resolve(undefined);

server.on("error", (error) => {
  console.error(`secure-api could not listen on 127.0.0.1:${port}: ${error.message}`);
  process.exit(1);
});

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing`);
  // Finish requests in flight, drop idle keep-alive sockets, then release Parapet.
  server.close(() => {
    api
      .close()
      .then(() => dashboardReady)
      .then((dashboard) => dashboard?.close())
      .then(() => observed.close())
      .finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  // Do not wait forever on a client that holds its connection open.
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
