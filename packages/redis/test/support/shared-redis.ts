import { after, before } from "node:test";
import { Redis } from "ioredis";

/** The shared Redis the integration tests use; others use it too, so every test run takes its own key prefix. */
export const SHARED_REDIS_URL = process.env.PARAPET_REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniquePrefix(name: string): string {
  return `parapet-test:${name}:${process.pid}:${Date.now().toString(36)}:`;
}

/** Connects to the shared Redis, or returns why the tests must skip. */
export async function connectShared(): Promise<Redis | string> {
  const client = new Redis(SHARED_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    return `Redis is not reachable at ${SHARED_REDIS_URL} (${(error as Error).message}); start redis-server to run these tests`;
  }
}

/** Deletes every key under a prefix (SCAN, never KEYS, so a busy shared Redis is not blocked). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

/** The shared Redis of one test file: `redis` once connected, or `skip` saying why the tests cannot run. */
export interface SharedRedis {
  readonly prefix: string;
  readonly redis: Redis | undefined;
  readonly skip: string | false;
}

/**
 * Connects before the file's tests (then calls `onConnect`, for what the tests share) and deletes the keys under
 * its own prefix after them.
 */
export function useSharedRedis(name: string, onConnect?: (redis: Redis, prefix: string) => void): SharedRedis {
  const shared: { prefix: string; redis: Redis | undefined; skip: string | false } = {
    prefix: uniquePrefix(name),
    redis: undefined,
    skip: false,
  };
  before(async () => {
    const connected = await connectShared();
    if (typeof connected === "string") shared.skip = connected;
    else {
      shared.redis = connected;
      onConnect?.(connected, shared.prefix);
    }
  });
  after(async () => {
    if (!shared.redis) return;
    await deleteKeys(shared.redis, shared.prefix);
    shared.redis.disconnect();
  });
  return shared;
}
