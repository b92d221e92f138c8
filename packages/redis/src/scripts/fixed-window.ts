import { luaScript, SERVER_TIME_MS } from "./lua-script.js";

/**
 * Fixed window, as specified in @parapet/core's rules/fixed-window.ts:
 * windows aligned to the epoch on the Redis server's clock, a denied call not
 * counted, the state gone when its window ends.
 *
 * KEYS[1] is a plain counter whose expiry IS the window end: it is created
 * with the aligned window's remaining time, so while it exists it counts the
 * current window and its PTTL is the time left. That makes the common case
 * (window already open) two calls, PTTL and INCRBY, with no TIME and no
 * Lua arithmetic; only the first request of a window reads TIME.
 * - Expiry runs on the same Redis clock as TIME, so alignment is unchanged.
 * - A failover to a node whose clock is behind keeps the key alive longer
 *   (expiries replicate as absolute PEXPIREAT times): the newer window is
 *   kept rather than requests forgotten. But only up to two windows of TTL
 *   (the clock one window behind): a key set while the clock was wrong by
 *   more (years ahead, then corrected) would otherwise hold a client at its
 *   limit for as long, so it is replaced by the current window.
 * - PTTL 0 means the window ends this very millisecond (Redis expires a key
 *   only once its time has passed): it is treated as the next window, so no
 *   request of the new window is counted into the dying key.
 * - A key without a TTL (-1) or of another type (left by someone else or an
 *   older layout) is replaced by a fresh window rather than kept forever, and
 *   the reply gets a fifth element, 1, so that the store logs it.
 * The increment is optimistic and undone on denial, inside the same atomic
 *   script, so a denied request is never counted.
 *
 * ARGV: limit, windowMs, cost. Replies {allowed, remaining, resetMs, retryAfterMs}.
 */
export const FIXED_WINDOW = luaScript(
  "fixedWindow",
  `local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
local foreign = ttl == -1
-- A TTL over two windows was set by a clock that was wrong by more than a window (see above): start afresh.
if ttl > 0 and ttl <= 2 * tonumber(ARGV[2]) then
  local count = redis.pcall('INCRBY', KEYS[1], cost)
  if type(count) == 'number' then
    if count <= limit then return {1, limit - count, ttl, 0} end
    redis.call('DECRBY', KEYS[1], cost)
    return {0, math.max(0, limit - count + cost), ttl, ttl}
  end
  foreign = true
end
${SERVER_TIME_MS}
local window = tonumber(ARGV[2])
local reset = window - now % window
local result = {0, limit, reset, reset}
if cost <= limit then
  redis.call('SET', KEYS[1], cost, 'PX', reset)
  result = {1, limit - cost, reset, 0}
elseif foreign then
  redis.call('DEL', KEYS[1])
end
if foreign then result[5] = 1 end
return result
`,
);
