/**
 * A child process of close.test.ts: it owns a store made from a URL, makes one
 * call, says "ready", and on "close" closes the store, reports how long that
 * took and what is still active, and drops its IPC channel. The parent times
 * how long the process then takes to exit: nothing of the store may keep it alive.
 */
import { silentLogger } from "@parapet/core";
import { RedisStore } from "../../src/index.js";

export type WorkerMessage =
  | { readonly type: "ready" }
  | { readonly type: "closed"; readonly closeMs: number; readonly active: readonly string[] };

const [port] = process.argv.slice(2) as [string];
const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 200, denyCache: false, logger: silentLogger });
const params = { limit: 10, windowMs: 60_000, cost: 1 };

process.on("message", async () => {
  // One call on the now dead or hung Redis, as a server shutting down would have had.
  await store.fixedWindow("k", params, 0).catch(() => undefined);
  const started = performance.now();
  await store.close();
  const closeMs = performance.now() - started;
  // Let a 0 ms timer armed by close() run before looking.
  await new Promise((resolve) => setImmediate(resolve));
  const active = process.getActiveResourcesInfo().filter((type) => type === "Timeout" || type === "TCPSocketWrap");
  process.send?.({ type: "closed", closeMs, active } satisfies WorkerMessage, () => process.disconnect());
});

await store.fixedWindow("k", params, 0);
process.send?.({ type: "ready" } satisfies WorkerMessage);
