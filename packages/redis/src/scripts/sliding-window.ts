import { FOREIGN_STATE, luaScript, SERVER_TIME_MS } from "./lua-script.js";

/**
 * Sliding window, as specified in @parapet/core's rules/sliding-window.ts:
 * estimated from two fixed windows aligned on the Redis server's clock (the
 * method Cloudflare describes): the estimate at time t is
 *   previous * (1 - elapsed / window) + current.
 * The estimate is exact when the previous window's requests were evenly
 * spread. Documented bound: within one aligned window at most `limit` pass;
 * over any span of one window length at most 2 * limit can pass in the worst
 * case (a burst at the very end of a window followed by one at the start of
 * the next), and a run of d ms crossing one boundary admits at most
 * limit + ceil(limit * d / window).
 *
 * KEYS[1] is a hash {w: window index, c: current count, p: previous count}.
 * A key of another type, or a hash whose fields are not finite numbers, is
 * not Parapet's state (see FOREIGN_STATE): it is replaced by a fresh window.
 * ARGV: limit, windowMs, cost. Replies {allowed, remaining, resetMs, retryAfterMs}
 * where resetMs is when the previous window's weight has fully left, and a
 * fifth element, 1, when a foreign key was replaced.
 */
export const SLIDING_WINDOW = luaScript(
  "slidingWindow",
  `${SERVER_TIME_MS}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local index = math.floor(now / window)
local elapsed = now - index * window
${FOREIGN_STATE}
local state = readState({'w', 'c', 'p'})
local stored = state[1]
local current = state[2] or 0
local previous = state[3] or 0
if stored == nil then
  current = 0
  previous = 0
elseif stored == index + 1 then
  -- The owning node's clock went back (failover): stay conservative and
  -- count the stored windows in full rather than forgetting requests.
  index = stored
  elapsed = 0
elseif stored > index + 1 then
  -- Further ahead: written by a clock that was wrong. Kept, it would hold the
  -- client at its limit for as long as that clock was ahead.
  current = 0
  previous = 0
elseif stored == index - 1 then
  previous = current
  current = 0
elseif stored < index - 1 then
  current = 0
  previous = 0
end
local used = previous * (window - elapsed) / window + current
local reset = window - elapsed
if used + cost > limit then
  local retry
  local room = limit - cost - current
  if room >= 0 and previous > 0 then
    -- Wait in this window until the previous window's weight has decayed enough.
    retry = math.ceil(reset - room * window / previous)
  else
    -- Wait for the next window, where this window's count decays in turn.
    local intoNext = 0
    if current > 0 then intoNext = math.max(0, math.ceil(window - (limit - cost) * window / current)) end
    retry = reset + intoNext
  end
  return reply({0, math.max(0, math.floor(limit - used)), reset, math.max(1, retry)})
end
current = current + cost
redis.call('HSET', KEYS[1], 'w', index, 'c', current, 'p', previous)
-- The state matters until this window's count has decayed out of the next one.
redis.call('PEXPIRE', KEYS[1], reset + window)
return reply({1, math.max(0, math.floor(limit - used - cost)), reset, 0})
`,
);
