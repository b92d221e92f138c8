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

/**
 * Shared prologue of the hash-based scripts: `readState(fields)` reads the
 * key's fields as numbers, and `reply(r)` marks a reply when the key was replaced.
 *
 * Every key under the prefix is Parapet's, so one that is not a hash (WRONGTYPE: a
 * string someone SET, an older layout) or a hash holding something other than
 * finite numbers is deleted and the decision starts fresh, as an expired key
 * would. Without this every call on that key failed (and failed open) for as
 * long as the key lived, forever without a TTL; a "nan" or "inf" field
 * (Lua's tonumber accepts both) let every request through and was written back,
 * so that client was never limited again. A fifth reply element, 1, tells the
 * store to log the replacement.
 */
export const FOREIGN_STATE = `
local replaced = false
local function readState(fields)
  local values = redis.pcall('HMGET', KEYS[1], unpack(fields))
  local numbers = {}
  if values.err == nil then
    for i = 1, #fields do
      local raw = values[i]
      if raw then
        local value = tonumber(raw)
        -- x - x is 0 for every finite number, NaN for NaN and the infinities.
        if value == nil or value - value ~= 0 then
          replaced = true
          break
        end
        numbers[i] = value
      end
    end
    if not replaced then return numbers end
  end
  replaced = true
  redis.call('DEL', KEYS[1])
  return {}
end
local function reply(result)
  if replaced then result[5] = 1 end
  return result
end
`;
