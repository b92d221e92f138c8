import { createHash } from "node:crypto";

/** A Lua script and its SHA-1, the name EVALSHA knows it by. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Shared prologue: the time comes from the Redis server that owns the key, so
 * app servers with skewed clocks still agree on every window. All keys of one
 * decision live on one node (a single key), so one clock decides each key.
 * Redis >= 5 replicates a script by its effects, which is what allows TIME
 * before a write; on older servers `replicate_commands` switches it on.
 */
export const SERVER_TIME_MS = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;
