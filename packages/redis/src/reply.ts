import { ErrorCodes, ParapetError, type RateLimitState } from "@parapet/core";

/** An integer reply as ioredis gives it with `stringNumbers: true`. */
const INTEGER_TEXT = /^-?\d{1,20}$/;

/**
 * Reads a script's {allowed, remaining, resetMs, retryAfterMs} reply; anything else is a store failure.
 * The four integers come as numbers, or all four as decimal strings from a client made with ioredis's
 * `stringNumbers: true` (an app's shared client, set for big counters): refusing those failed every decision.
 */
export function parseReply(reply: unknown, script: string): RateLimitState {
  // A fifth element, 1, says the script replaced a key that was not Parapet's state (see isReplacement).
  if (!Array.isArray(reply) || reply.length < 4 || reply.length > 5) throw unexpectedReply(script);
  let fields = reply as number[];
  if (!reply.every((field) => typeof field === "number")) {
    if (!reply.every((field) => typeof field === "string" && INTEGER_TEXT.test(field))) throw unexpectedReply(script);
    fields = reply.map(Number);
  }
  if (reply.length === 5 && Number(reply[4]) !== 1) throw unexpectedReply(script);
  const [allowed, remaining, resetMs, retryAfterMs] = fields as [number, number, number, number];
  return {
    allowed: allowed === 1,
    remaining: Math.max(0, remaining),
    resetMs: Math.max(0, resetMs),
    retryAfterMs: Math.max(0, retryAfterMs),
  };
}

/** True when the script found a key of another type or layout under the prefix and replaced it (a checked reply). */
export function isReplacement(reply: unknown): boolean {
  return (reply as unknown[]).length === 5;
}

function unexpectedReply(script: string): ParapetError {
  return new ParapetError(
    ErrorCodes.STORE_FAILED,
    `Redis ${script} returned an unexpected reply; another script may be cached under the same SHA, run SCRIPT FLUSH`,
  );
}

/**
 * Rules validate their options when they are created; these checks catch a
 * rule that passes something else, before it can corrupt state in Redis.
 */
export function requireCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ParapetError(ErrorCodes.INVALID_OPTION, `RedisStore: \`${name}\` must be a non-negative integer; got ${String(value)}`);
  }
  return value;
}

export function requirePositive(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ParapetError(ErrorCodes.INVALID_OPTION, `RedisStore: \`${name}\` must be a positive number; got ${String(value)}`);
  }
  return value;
}
