import { messageOf } from "@parapet/core";

/**
 * Redis answered, with an error: the server is up and reachable. The circuit
 * breaker exists for a Redis that does not answer (each call would wait out
 * the timeout), so such an answer is not a failure to it. Counting them let
 * one key's error (a WRONGTYPE key, five calls) open the circuit, and every
 * client's limit failed open for the cooldown, over and over.
 */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/** Errors that are the deployment's, not Parapet's, and what to do about each. Matched on the reply's first word. */
const HINTS: ReadonlyMap<string, string> = new Map([
  [
    "OOM",
    "Redis is at its maxmemory with the noeviction policy and refuses writes: raise maxmemory or give Parapet a Redis of its own; an evicting policy would instead drop rate-limit keys and restart those limits",
  ],
  ["MOVED", "this Redis is a Cluster node: pass an ioredis Cluster as `client`: new Cluster([{ host, port }])"],
  ["ASK", "this Redis is a Cluster node: pass an ioredis Cluster as `client`: new Cluster([{ host, port }])"],
  ["CLUSTERDOWN", "the Redis Cluster does not serve every slot: check `redis-cli cluster info`"],
  ["READONLY", "the client is connected to a read-only replica: connect it to the primary"],
  ["NOPERM", "the Redis user may not run these scripts or keys: grant it +evalsha +eval and the key pattern of `prefix`, e.g. ~parapet:*"],
  ["NOAUTH", "Redis requires authentication: put the credentials in the URL, redis://user:password@host:6379, or in the client's options"],
  ["WRONGPASS", "Redis refused the credentials: check the user and password in the URL or the client's options"],
  ["LOADING", "Redis is loading its data after a restart: calls succeed once it has finished"],
]);

/** The error's own message, followed by the next step when it is one of HINTS. */
export function describeRedisError(error: unknown): string {
  const message = messageOf(error);
  const hint = HINTS.get(/^[A-Z]+/.exec(message)?.[0] ?? "");
  return hint === undefined ? message : `${message} (${hint})`;
}
