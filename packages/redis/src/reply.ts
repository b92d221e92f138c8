import { ErrorCodes, ParapetError, type RateLimitState } from "@parapet/core";

/** Reads a script's {allowed, remaining, resetMs, retryAfterMs} reply; anything else is a store failure. */
export function parseReply(reply: unknown, script: string): RateLimitState {
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((field) => typeof field === "number")) {
    throw new ParapetError(
      ErrorCodes.STORE_FAILED,
      `Redis ${script} returned an unexpected reply; another script may be cached under the same SHA, run SCRIPT FLUSH`,
    );
  }
  const [allowed, remaining, resetMs, retryAfterMs] = reply as [number, number, number, number];
  return {
    allowed: allowed === 1,
    remaining: Math.max(0, remaining),
    resetMs: Math.max(0, resetMs),
    retryAfterMs: Math.max(0, retryAfterMs),
  };
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
