import { luaScript, SERVER_TIME_MS } from "./lua-script.js";

/**
 * Fixed window, as specified in @parapet/core's rules/fixed-window.ts:
 * windows aligned to the epoch on the Redis server's clock, a denied call not
 * counted, the state dropped (PEXPIRE) when its window ends.
 *
 * KEYS[1] is a hash {w: window start, c: count}. ARGV: limit, windowMs, cost.
 * Replies {allowed, remaining, resetMs, retryAfterMs}.
 */
export const FIXED_WINDOW = luaScript(
  "fixedWindow",
  `${SERVER_TIME_MS}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local start = math.floor(now / window) * window
local state = redis.call('HMGET', KEYS[1], 'w', 'c')
local stored = tonumber(state[1])
local count = 0
if stored == start then
  count = tonumber(state[2]) or 0
elseif stored ~= nil and stored > start then
  -- The owning node's clock went back (failover): keep counting the newer
  -- window rather than forgetting requests.
  start = stored
  count = tonumber(state[2]) or 0
end
local reset = start + window - now
if count + cost <= limit then
  redis.call('HSET', KEYS[1], 'w', start, 'c', count + cost)
  redis.call('PEXPIRE', KEYS[1], math.max(1, reset))
  return {1, limit - count - cost, reset, 0}
end
return {0, math.max(0, limit - count), reset, reset}
`,
);
