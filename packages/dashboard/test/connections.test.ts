import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sqliteLog } from "@parapet/observe";
import { HEADERS_TIMEOUT_MS, MAX_CONNECTIONS } from "../src/http-server.js";
import { type Dashboard, startDashboard } from "../src/index.js";
import { bearer } from "./client.js";
import { freshMigrated, quietLogger } from "./helpers.js";

/** Connections opened before any token is checked: what they may hold of the dashboard's (or the app's) process. */
const driver = sqliteLog({ path: ":memory:" });
let dashboard: Dashboard;

before(async () => {
  dashboard = await startDashboard({ log: await freshMigrated(driver), port: 0, logger: quietLogger });
});
after(async () => {
  await dashboard.close();
  await driver.close();
});

async function openSocket(): Promise<Socket & { closedByServer: Promise<unknown> }> {
  const socket = connect(dashboard.port, "127.0.0.1");
  // Not events.once(): it rejects on "error", and writing to a connection the server has closed is one (EPIPE).
  const closedByServer = new Promise((resolve) => socket.on("error", () => {}).once("close", resolve));
  // Read (and drop) what the server sends, such as a 408: unread data would hold back the "close".
  socket.resume();
  await once(socket, "connect");
  return Object.assign(socket, { closedByServer });
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  const deadline = new AbortController();
  const settled = await Promise.race([promise.then(() => true), sleep(ms, false, { signal: deadline.signal }).catch(() => false)]);
  deadline.abort();
  return settled;
}

test("idle connections past the bound are closed as they arrive, and the dashboard answers again once they go", async () => {
  const extra = 16;
  const sockets: Awaited<ReturnType<typeof openSocket>>[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS + extra; i++) sockets.push(await openSocket());
    const closed = sockets.slice(MAX_CONNECTIONS).map((s) => s.closedByServer);
    assert.ok(await within(5_000, Promise.all(closed)), `the ${extra} connections past ${MAX_CONNECTIONS} are dropped, not held`);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
    status = await fetch(new URL("/api/overview", dashboard.url), { headers: bearer(dashboard.token) })
      .then((reply) => reply.status)
      .catch(() => sleep(50, 0));
  }
  assert.equal(status, 200);
});

test("a connection that never finishes its headers is closed after the headers timeout", async () => {
  const silent = await openSocket();
  const dribbling = await openSocket();
  dribbling.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  const keepDribbling = setInterval(() => dribbling.writable && dribbling.write("X-Slow: 1\r\n"), 1_000);
  try {
    // Node's defaults held both for 60-90 s.
    const closed = Promise.all([silent.closedByServer, dribbling.closedByServer]);
    assert.ok(await within(HEADERS_TIMEOUT_MS + 5_000, closed), "stalled connections are closed by the server");
  } finally {
    clearInterval(keepDribbling);
    silent.destroy();
    dribbling.destroy();
  }
});
