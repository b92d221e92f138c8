import { once } from "node:events";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@parapet/core";
import { Redis } from "ioredis";

/**
 * What the store needs from a Redis client: ioredis's `Redis` and `Cluster`
 * both fit, and so does a plain-object fake in a unit test.
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** ioredis's connection status; "ready" when commands go straight out. */
  readonly status?: string;
  quit?(): Promise<unknown>;
  disconnect?(): void;
}

/** Statuses in which ioredis has no connection and is (re)trying: a command would only wait. */
const DISCONNECTED = new Set(["reconnecting", "close", "end", "disconnecting"]);

export function isDisconnected(client: RedisClientLike): boolean {
  return client.status !== undefined && DISCONNECTED.has(client.status);
}

/**
 * The client the store creates when none is given. Reconnection is ioredis's:
 * capped exponential backoff, forever. A command waits for at most one
 * reconnection attempt, though the store's own timeout answers long before.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    // Commands issued in one tick leave in one write: far fewer syscalls under load.
    enableAutoPipelining: true,
    // How long ioredis's disconnect() lets the socket close before destroying it (default 2,000 ms). The store
    // disconnects only in close(), after its own grace for QUIT, so nothing is left to wait for: with the
    // default, a socket already closed by a dead Redis left that timer running (its "close" had already fired)
    // and one to a hung Redis stayed open, and the process outlived close() by 2 s.
    disconnectTimeout: 0,
  });
  // Without a listener ioredis prints every reconnection error; the store's
  // circuit breaker already reports an outage once, so these stay at debug.
  client.on("error", (error: Error) => logger.debug("redis connection error", { error: error.message }));
  return client;
}

/**
 * Closes a client the store created: QUIT, or after `timeoutMs` without an answer the connection is dropped.
 * Resolves once the socket is closed, so nothing of the client outlives close(): ioredis's own disconnect()
 * only ends the socket, which a hung Redis never closes from its side, and lets a timer destroy it later.
 */
export async function closeRedisClient(client: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([client.quit().catch(() => undefined), gaveUp]);
  clearTimeout(timer);
  // Undefined when the client never got as far as opening one.
  const socket = client.stream as Socket | undefined;
  client.disconnect();
  if (socket !== undefined && !socket.closed) {
    const closed = once(socket, "close");
    socket.destroy();
    await closed;
  }
  // Each disconnect() (quit() makes one too when the socket is gone) arms a disconnectTimeout timer, 0 ms here;
  // on a socket already closed nothing clears it. A timer of the same delay is queued behind it and fires
  // after it, so close() returns with nothing of the client left.
  await sleep(0);
}
