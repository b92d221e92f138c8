/**
 * What the three rate-limit rules share: option checks done once at
 * creation, the store call with its error wrapping, and the reason they
 * report. Each rule's own file states its algorithm's exact semantics.
 */
import type { Characteristic } from "../characteristics.js";
import { type Duration, parseDuration } from "../duration.js";
import { ErrorCodes, messageOf, optionError, ParapetError } from "../errors.js";
import { isPromiseLike } from "../promise-like.js";
import type { Mode, RateLimitReason, RateLimitState, RuleEvaluation } from "../types.js";

export const RATE_LIMIT = "RATE_LIMIT";

/** A store round trip: after local checks (~1-10), before remote lookups. */
export const RATE_LIMIT_COST = 30;

export interface RateLimitCommonOptions {
  /** "LIVE" (default) denies; "DRY_RUN" only reports. */
  readonly mode?: Mode;
  /** Names the policy in results, keys and RateLimit headers. */
  readonly name?: string;
  /** What to count by; default: the client's `characteristics` (["ip"]). */
  readonly characteristics?: readonly Characteristic[];
}

export interface CommonSettings {
  readonly mode: Mode;
  readonly name: string | undefined;
  readonly characteristics: readonly Characteristic[] | undefined;
}

/** A policy name travels in a header: printable ASCII, short. */
const NAME = /^[\x21-\x7e]{1,64}$/;

export function commonSettings(where: string, options: unknown): CommonSettings {
  if (options === null || typeof options !== "object") throw optionError(where, "pass an options object");
  const { mode, name, characteristics } = options as RateLimitCommonOptions;
  if (mode !== undefined && mode !== "LIVE" && mode !== "DRY_RUN") {
    throw optionError(where, `\`mode\` must be "LIVE" or "DRY_RUN"; got ${JSON.stringify(mode)}`);
  }
  if (name !== undefined && (typeof name !== "string" || !NAME.test(name))) {
    throw optionError(where, '`name` must be 1-64 printable ASCII characters without spaces, e.g. "api"');
  }
  if (characteristics !== undefined) {
    if (!Array.isArray(characteristics) || characteristics.length === 0) {
      throw optionError(where, '`characteristics` must be a non-empty array such as ["ip"] or ["userId"]');
    }
    for (const item of characteristics) {
      if (typeof item !== "string" || item === "" || item === "header:") {
        throw optionError(
          where,
          `\`characteristics\` entries must be names such as "ip", "userId" or "header:x-api-key"; got ${JSON.stringify(item)}`,
        );
      }
    }
  }
  return { mode: mode ?? "LIVE", name, characteristics };
}

export function positiveInteger(where: string, field: string, value: unknown, example: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw optionError(where, `\`${field}\` must be a positive integer, e.g. ${example}; got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/** Far beyond any useful window, and small enough that window arithmetic stays exact in a double (and in Lua). */
const MAX_WINDOW_MS = 1_000 * 86_400_000;

/** Windows are whole milliseconds so that every store computes the same boundaries. */
export function windowMsOf(where: string, field: string, value: Duration | undefined): number {
  if (value === undefined) throw optionError(where, `\`${field}\` is required, e.g. "60s" or 60_000 (milliseconds)`);
  const ms = parseDuration(value, `${where} \`${field}\``);
  if (ms > MAX_WINDOW_MS) throw optionError(where, `\`${field}\` must be at most 1,000 days; got ${ms} ms`);
  if (!Number.isSafeInteger(ms)) throw optionError(where, `\`${field}\` must be a whole number of milliseconds; got ${ms}`);
  return ms;
}

/** "60s", "1.5s": short, and the same in the policy name and in messages. */
export function secondsText(ms: number): string {
  return `${ms / 1000}s`;
}

/**
 * What a failed store step is reported as. A store that throws a ParapetError
 * keeps its code (e.g. STORE_TIMEOUT); anything else is a STORE_FAILED, so
 * operators can tell a Redis outage from a bug in a rule.
 */
export function storeFailure(error: unknown): ParapetError {
  if (error instanceof ParapetError) return error;
  return new ParapetError(ErrorCodes.STORE_FAILED, `the rate-limit store failed: ${messageOf(error)}; check its connection`, {
    cause: error,
  });
}

export interface RateLimitDescription {
  readonly algorithm: RateLimitReason["algorithm"];
  readonly limit: number;
  readonly windowMs: number;
  readonly policy: string;
  /** "requests per 60s", "tokens, 5 every 1s". */
  readonly unit: string;
  /** The message of every allowed request (see describeRateLimit). */
  readonly allowedMessage: string;
}

/**
 * A rule's description, made once when the rule is created. An allowed
 * request's message is part of it, the same on every request: the remaining
 * count is in the reason's `remaining`, and formatting it into text on every
 * allowed request (a number to string and four concatenations) was a
 * measurable share of protect() for a message few ever read.
 */
export function describeRateLimit(fields: Omit<RateLimitDescription, "allowedMessage">): RateLimitDescription {
  return { ...fields, allowedMessage: `Within the limit of ${fields.limit} ${fields.unit}.` };
}

/**
 * The rule's answer from a store step's result. When the store answered
 * synchronously (the memory store) so does the rule, and protect() awaits
 * nothing for it; a remote store's promise is mapped, its rejection wrapped.
 */
export function settleStoreStep(
  description: RateLimitDescription,
  key: string,
  state: RateLimitState | PromiseLike<RateLimitState>,
): RuleEvaluation | Promise<RuleEvaluation> {
  if (!isPromiseLike(state)) return rateLimitEvaluation(description, state, key);
  return Promise.resolve(state).then(
    (settled) => rateLimitEvaluation(description, settled, key),
    (error: unknown) => {
      throw storeFailure(error);
    },
  );
}

export function rateLimitEvaluation(description: RateLimitDescription, state: RateLimitState, key: string): RuleEvaluation {
  // Plain literals, no spreads: this runs on every request.
  const { algorithm, limit, windowMs, policy, unit } = description;
  const { remaining, resetMs } = state;
  if (state.allowed) {
    const reason: RateLimitReason = {
      type: RATE_LIMIT,
      message: description.allowedMessage,
      algorithm,
      limit,
      remaining,
      resetSeconds: resetMs / 1000,
      windowSeconds: windowMs / 1000,
      policy,
    };
    return { conclusion: "ALLOW", reason, key };
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(state.retryAfterMs / 1000));
  const reason: RateLimitReason = {
    type: RATE_LIMIT,
    message: `Rate limit of ${limit} ${unit} exceeded; retry in ${retryAfterSeconds}s.`,
    algorithm,
    limit,
    remaining,
    resetSeconds: resetMs / 1000,
    windowSeconds: windowMs / 1000,
    retryAfterSeconds,
    policy,
  };
  return { conclusion: "DENY", reason, key };
}
