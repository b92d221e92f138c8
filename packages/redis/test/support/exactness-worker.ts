/**
 * One of the separate processes of exactness.test.ts. It connects (to the
 * standalone Redis or the cluster named in argv), says "ready", and on each
 * "run" message fires its share of requests at one key, then reports counts.
 */
import { silentLogger } from "@parapet/core";
import { Cluster, Redis } from "ioredis";
import { RedisStore } from "../../src/index.js";

export type Algorithm = "fixedWindow" | "slidingWindow" | "tokenBucket";
export interface RunMessage {
  readonly type: "run";
  readonly algorithm: Algorithm;
  readonly key: string;
  readonly limit: number;
  readonly requests: number;
}
export interface DoneMessage {
  readonly type: "done";
  readonly allowed: number;
  readonly denied: number;
  readonly errors: readonly string[];
}

const [topology, target, prefix] = process.argv.slice(2) as [string, string, string];
const IN_FLIGHT = 32;

const client =
  topology === "cluster"
    ? new Cluster(target.split(",").map((port) => ({ host: "127.0.0.1", port: Number(port) })))
    : new Redis(target, { maxRetriesPerRequest: 1 });
client.on("error", () => undefined);
// The deny cache is off so that every request is a real round trip racing the others.
const store = new RedisStore({ client, prefix, timeoutMs: 10_000, denyCache: false, logger: silentLogger });

function decide(message: RunMessage) {
  const { key, limit } = message;
  // A day-long window aligned on the epoch: the parent never starts a run within a minute of midnight UTC.
  if (message.algorithm === "fixedWindow") return store.fixedWindow(key, { limit, windowMs: 86_400_000, cost: 1 }, 0);
  if (message.algorithm === "slidingWindow") return store.slidingWindow(key, { limit, windowMs: 120_000, cost: 1 }, 0);
  return store.tokenBucket(key, { capacity: limit, refillRate: 1, intervalMs: 3_600_000, requested: 1 }, 0);
}

async function runShare(message: RunMessage): Promise<DoneMessage> {
  let next = 0;
  let allowed = 0;
  let denied = 0;
  const errors: string[] = [];
  async function lane(): Promise<void> {
    while (next < message.requests) {
      next++;
      try {
        if ((await decide(message)).allowed) allowed++;
        else denied++;
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return { type: "done", allowed, denied, errors: errors.slice(0, 5) };
}

// The parent kills this process when done.
process.on("message", (message: RunMessage) => {
  void runShare(message).then((done) => process.send?.(done));
});

await client.ping();
process.send?.({ type: "ready" });
