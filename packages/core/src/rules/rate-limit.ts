/**
 * What the three rate-limit rules share: option checks done once at
 * creation, the store call with its error wrapping, and the reason they
 * report. Each rule's own file states its algorithm's exact semantics.
 */
import type { Characteristic } from "../characteristics.js";
import { type Duration, parseDuration } from "../duration.js";
import { ErrorCodes, messageOf, optionError, ParapetError } from "../errors.js";
import { isPromiseLike } from "../promise-like.js";
import type { AdvertisedQuota, Mode, RateLimitReason, RateLimitState, Rule, RuleEvaluation } from "../types.js";

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

/**
 * What parapet() needs to know of a built-in rate limit to place it among a client's other rules (client.ts):
 * kept beside the rule rather than on it, so the public Rule type stays what custom rules implement.
 */
export interface RateLimitInternals {
  /** True when the app named it: its counter is then shared by that name, and the policy name is the app's. */
  readonly named: boolean;
  /** The rule's own characteristics; undefined means the client's. */
  readonly characteristics: readonly Characteristic[] | undefined;
  /** The same limit, on the same state, reporting the policy name `policy` (see nameUniquely in client.ts). */
  renamed(policy: string): Rule;
}

const internals = new WeakMap<Rule, RateLimitInternals>();

export function registerRateLimit(rule: Rule, info: RateLimitInternals): Rule {
  internals.set(rule, info);
  return rule;
}

/** The internals of a rule made by fixedWindow(), slidingWindow() or tokenBucket(); undefined for any other. */
export function rateLimitInternals(rule: Rule): RateLimitInternals | undefined {
  return internals.get(rule);
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
  /** What RateLimit-Policy says (see advertisedQuota); one object per rule, shared by its reasons. */
  readonly advertised: AdvertisedQuota;
  /** The message of every allowed request (see describeRateLimit). */
  readonly allowedMessage: string;
}

/** The largest sf-integer (RFC 8941 §3.3.1): 15 digits. */
const MAX_SF_INTEGER = 999_999_999_999_999n;

/**
 * A rate of `amount` per `intervalMs` as the draft's `q` per `w`, where w is whole seconds (sub-second windows
 * are not supported) and q a whole number: the shortest such w in which at least `atLeast` is granted. For a
 * window, amount = atLeast = its max, so a whole-second window is itself (q = max); a 1.5 s window of 10
 * becomes 20 per 3 s. For a token bucket, amount is the refill and atLeast the capacity, so q / w is the
 * sustained rate and, when the bucket fills in whole seconds, q its burst (5 at 1 per second: q=5;w=5); one
 * that fills in half a second (capacity 5, 10 per second) is q=10;w=1, where rounding the fill time up to
 * one second had advertised half the rate. Exact integer arithmetic: made once, when the rule is.
 */
export function advertisedQuota(amount: number, intervalMs: number, atLeast: number): AdvertisedQuota {
  const perSecond = BigInt(amount) * 1000n; // granted per intervalMs seconds
  const interval = BigInt(intervalMs);
  const common = gcd(perSecond, interval);
  const stepSeconds = interval / common; // the shortest whole number of seconds granting a whole amount…
  const perStep = perSecond / common; // …and that amount
  const want = BigInt(atLeast);
  const steps = (want + perStep - 1n) / perStep || 1n;
  const quota = perStep * steps;
  const windowSeconds = stepSeconds * steps;
  // Beyond what a header can carry (a limit near 2^53 per millisecond): the old rounding, which states less.
  if (quota > MAX_SF_INTEGER || windowSeconds > MAX_SF_INTEGER) {
    return { quota: atLeast, windowSeconds: Math.ceil((atLeast * intervalMs) / amount / 1000) };
  }
  return { quota: Number(quota), windowSeconds: Number(windowSeconds) };
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
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
  const { algorithm, limit, windowMs, policy, unit, advertised } = description;
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
      advertised,
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
    advertised,
  };
  return { conclusion: "DENY", reason, key };
}
