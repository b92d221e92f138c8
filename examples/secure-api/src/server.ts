import type { AddressInfo } from "node:net";
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
const observed = observe({ store: sqliteLog({ path: dbPath }), handleSignals: false });
const api = createApp({
  observers: [observed.observer],
  firstRules: [blockListRule(observed.blockList)],
  onResponse: (decision, status) => observed.recordStatus(decision, status),
});
const server = api.app.listen(port, "127.0.0.1", () => {
  const { port: bound } = server.address() as AddressInfo;
  console.log(`secure-api listening on http://127.0.0.1:${bound} (decisions logged to ${dbPath})`);
});
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
      .then(() => observed.close())
      .finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  // Do not wait forever on a client that holds its connection open.
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
