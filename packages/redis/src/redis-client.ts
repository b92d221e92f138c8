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
  });
  // Without a listener ioredis prints every reconnection error; the store's
  // circuit breaker already reports an outage once, so these stay at debug.
  client.on("error", (error: Error) => logger.debug("redis connection error", { error: error.message }));
  return client;
}

/** Closes a client politely, or drops the connection if Redis does not answer in time. */
export async function closeRedisClient(client: RedisClientLike, timeoutMs: number): Promise<void> {
  if (client.quit === undefined) {
    client.disconnect?.();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([client.quit().catch(() => undefined), gaveUp]);
  clearTimeout(timer);
  client.disconnect?.();
}
