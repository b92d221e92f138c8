import { FOREIGN_STATE, luaScript, SERVER_TIME_MS } from "./lua-script.js";

/**
 * The longest TTL the script sets: about 31,700 years. A bucket's fill time
 * is capacity * interval / refillRate, which valid options put past 1e17 ms
 * (capacity 2e9, 1 token a day), and Redis hands such a Lua number to a
 * command as "1.728e+17", which PEXPIRE refuses: the script failed after its
 * HSET, so the tokens were taken, the key was left without a TTL, and the
 * call failed (open by default). A bucket idle that long may start full again.
 */
const MAX_TTL_MS = 1e15;

/**
 * The longest time the script replies with: 9e18 ms, under 2^63. Redis turns a Lua number into a C long
 * long for the reply, so a fill or retry time past 2^63 ms (capacity 1e11, one token a day) came back as
 * -2^63: the store read it as 0, the bucket "full now" and a denial's Retry-After 1 s, for a wait of ages.
 * 9e18 ms is about 285 million years: forever, as the memory store's larger number is.
 */
const MAX_REPLY_MS = 9e18;

/**
 * Token bucket, as specified in @parapet/core's rules/token-bucket.ts:
 * continuous refill of `refillRate` tokens per `intervalMs`, computed lazily
 * from the Redis server's clock; a denied call takes nothing.
 *
 * KEYS[1] is a hash {t: tokens, ts: time of the last refill}. Its TTL is the
 * time until the bucket is full again, when a missing key and the stored
 * state mean the same thing, so memory stays bounded without losing anything.
 * A key of another type, or a hash whose fields are not finite numbers, is
 * not Parapet's state (see FOREIGN_STATE): it is replaced by a full bucket.
 * ARGV: capacity, refillRate, intervalMs, requested.
 * Replies {allowed, remaining, resetMs (until full), retryAfterMs}, and a
 * fifth element, 1, when a foreign key was replaced.
 */
export const TOKEN_BUCKET = luaScript(
  "tokenBucket",
  `${SERVER_TIME_MS}
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local requested = tonumber(ARGV[4])
-- Refilled tokens are fractions: the tolerance keeps rounding from denying exactly enough.
local epsilon = 1e-9
${FOREIGN_STATE}
local state = readState({'t', 'ts'})
local tokens = state[1]
local last = state[2]
local clamped = false
if tokens == nil or last == nil then
  tokens = capacity
  last = now
elseif now > last then
  tokens = math.min(capacity, tokens + (now - last) * rate / interval)
  last = now
elseif last > now + capacity * interval / rate then
  -- A clock that steps back (failover) refills nothing, but one that was far ahead delays the refill by at
  -- most an empty bucket's fill time, not for as long as it was ahead. Kept even on a denial, or each call
  -- would move the bound along with it.
  last = now + capacity * interval / rate
  clamped = true
end
-- Refilling starts at last, later than now only after the clock stepped back.
local ahead = math.max(0, last - now)
local reset
if tokens + epsilon < requested then
  reset = math.max(0, math.ceil(ahead + (capacity - tokens) * interval / rate))
  local retry = math.max(1, math.ceil(ahead + (requested - tokens) * interval / rate))
  if clamped then
    redis.call('HSET', KEYS[1], 'ts', last)
    redis.call('PEXPIRE', KEYS[1], math.min(${MAX_TTL_MS}, math.max(1, reset)))
  end
  return reply({0, math.floor(tokens + epsilon), math.min(${MAX_REPLY_MS}, reset), math.min(${MAX_REPLY_MS}, retry)})
end
tokens = math.max(0, tokens - requested)
reset = math.max(0, math.ceil(ahead + (capacity - tokens) * interval / rate))
redis.call('HSET', KEYS[1], 't', tokens, 'ts', last)
redis.call('PEXPIRE', KEYS[1], math.min(${MAX_TTL_MS}, math.max(1, reset)))
return reply({1, math.floor(tokens + epsilon), math.min(${MAX_REPLY_MS}, reset), 0})
`,
);
