import { buildKey, type Characteristic, DEFAULT_CHARACTERISTICS } from "./characteristics.js";
import { createDecision, type ErrorPolicy } from "./decision.js";
import { codeOf, ErrorCodes, messageOf, optionError, ParapetError } from "./errors.js";
import { parseRanges } from "./ip/cidr.js";
import { type ClientIpOptions, createClientIpResolver, type ForwardedHeader, type Platform } from "./ip/client-ip.js";
import { formatIp } from "./ip/parse.js";
import { widePublicRanges } from "./ip/range-union.js";
import { IpKeyCache } from "./ip-key-cache.js";
import { consoleLogger } from "./logger.js";
import { NoticeThrottle } from "./notice-throttle.js";
import { isPromiseLike } from "./promise-like.js";
import { type NormalizeOptions, normalizeRequest, type ProtectableRequest } from "./request/normalize.js";
import { RATE_LIMIT, rateLimitInternals } from "./rules/rate-limit.js";
import { MemoryStore } from "./store/memory.js";
import type {
  AuthEvent,
  Clock,
  Decision,
  DecisionObserver,
  ErrorReason,
  Logger,
  Mode,
  NormalizedRequest,
  Reason,
  Rule,
  RuleContext,
  RuleEvaluation,
  RuleResult,
  Store,
} from "./types.js";
import { AnchoredWallClock } from "./wall-clock.js";

export interface ParapetOptions {
  readonly rules: readonly Rule[];
  /** What rules count by unless they say otherwise. Default ["ip"]. */
  readonly characteristics?: readonly Characteristic[];
  /** Trusted proxies (IPs, CIDRs, "loopback", "private"). Forwarding headers are ignored unless the peer is one. */
  readonly proxies?: readonly string[];
  /** The header the trusted `proxies` write: "x-forwarded-for" (default) or "forwarded" (RFC 7239). Only that one is read. */
  readonly forwardedHeader?: ForwardedHeader;
  /** The platform the app runs behind (cloudflare, fly, vercel…); its client-IP header is then trusted. */
  readonly platform?: Platform;
  /** IPv6 clients are keyed by this prefix length. Default 64. */
  readonly ipv6Prefix?: number;
  /** Where rate-limit state lives. Default: a bounded in-memory store. */
  readonly store?: Store;
  /** "DRY_RUN" forces every rule to report without denying, for a first rollout. */
  readonly mode?: Mode;
  /** When a rule or store fails: "open" (default) lets the request through, "closed" denies it with 503. */
  readonly onError?: ErrorPolicy;
  /** Bodies are read up to this many bytes (default 1 MiB); the rest is not inspected. */
  readonly maxBodyBytes?: number;
  /**
   * A slow client's body is inspected as far as it arrived within this time. Default 10,000 ms: the app waits
   * for the whole body anyway, and the shield denies a text body it could not read whole (partialBody), so a
   * short wait would deny slow mobile clients rather than save time.
   */
  readonly bodyTimeoutMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Receive every decision off the request path (decision logs, detectors). */
  readonly observers?: readonly DecisionObserver[];
}

export interface ProtectOptions {
  /** The TCP peer address, for platforms that give it out of band (Next.js, Hono's getConnInfo). */
  readonly socketIp?: string;
}

export interface AuthReport {
  readonly user?: string;
}

export interface Parapet {
  /**
   * The client's logger (the `logger` option, or the console), for adapters to report what only they can see, such
   * as a denial that came after the app had started the response. Optional so stand-ins need not carry one.
   */
  readonly logger?: Logger;
  /** Decides on one request. Never throws and never rejects. */
  protect(request: ProtectableRequest, extra?: Readonly<Record<string, unknown>>, options?: ProtectOptions): Promise<Decision>;
  /**
   * protect() without the promise when it is not needed: the decision itself
   * when every rule answered at once (memory-store rate limits, local checks),
   * a promise when one had to wait (Redis, a request body). For adapters and
   * hot paths that want to answer in the same tick. Never throws, never rejects.
   */
  decide(request: ProtectableRequest, extra?: Readonly<Record<string, unknown>>, options?: ProtectOptions): Decision | Promise<Decision>;
  /** Tells observers (credential-stuffing detectors) that a login failed. */
  reportAuthFailure(request: ProtectableRequest, report?: AuthReport): void;
  reportAuthSuccess(request: ProtectableRequest, report?: AuthReport): void;
  /** A client with more rules, sharing this one's store, options and observers. */
  withRule(...rules: Rule[]): Parapet;
  /**
   * Flushes observers and closes the store. On a client made by withRule() it
   * does nothing: the store and observers are shared; close the client parapet() made.
   */
  close(): Promise<void>;
}

const MODES: readonly Mode[] = ["LIVE", "DRY_RUN"];
// `performance` is an accessor on Node's global object: looked up once here, not at every clock read.
const monotonic: { now(): number } = globalThis.performance;
/** `protect(req)` without extra values: one shared, frozen record rather than a new `{}` per request. */
const NO_EXTRA: Readonly<Record<string, unknown>> = Object.freeze({});
const RULE_FAILURE_WARN_INTERVAL_MS = 10_000;
const systemClock: Clock = { now: () => Date.now() };

export function parapet(options: ParapetOptions): Parapet {
  validate(options);
  const ipOptions: ClientIpOptions = {
    ...(options.proxies ? { proxies: options.proxies } : {}),
    ...(options.forwardedHeader ? { forwardedHeader: options.forwardedHeader } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.ipv6Prefix !== undefined ? { ipv6Prefix: options.ipv6Prefix } : {}),
  };
  const resolver = createClientIpResolver(ipOptions);
  const logger = options.logger ?? consoleLogger;
  warnWidePublicProxies(options.proxies, logger);
  const shared: Shared = {
    resolver,
    store: options.store ?? new MemoryStore(),
    clock: options.clock ?? systemClock,
    wallClock: options.clock === undefined ? new AnchoredWallClock() : undefined,
    logger,
    observers: options.observers ?? [],
    characteristics: options.characteristics ?? DEFAULT_CHARACTERISTICS,
    forcedMode: options.mode,
    onError: options.onError ?? "open",
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    ipKeys: new IpKeyCache(),
  };
  return createClient(shared, options.rules);
}

interface Shared {
  readonly resolver: ReturnType<typeof createClientIpResolver>;
  readonly store: Store;
  readonly clock: Clock;
  /** The system clock read off the monotonic one (see wall-clock.ts); undefined when a clock was injected. */
  readonly wallClock: AnchoredWallClock | undefined;
  readonly logger: Logger;
  readonly observers: readonly DecisionObserver[];
  readonly characteristics: readonly Characteristic[];
  readonly forcedMode: Mode | undefined;
  readonly onError: ErrorPolicy;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly ipKeys: IpKeyCache;
}

/** What a rule's result repeats on every request, worked out once per client. */
interface PreparedRule {
  readonly rule: Rule;
  readonly ruleId: string;
  readonly mode: Mode;
}

/** `derived`: made by withRule(), which shares the store and observers of the client it came from. */
function createClient(shared: Shared, ruleList: readonly Rule[], derived = false): Parapet {
  refuseSharedState(ruleList, shared.characteristics);
  const placedRules = nameUniquely(shared, ruleList);
  // Cheapest first; the sort is stable, so equal costs keep the order given.
  const rules: readonly PreparedRule[] = [...placedRules]
    .sort((a, b) => a.cost - b.cost)
    .map((rule) => ({
      rule,
      ruleId: rule.name ? `${rule.type}:${rule.name}` : rule.type,
      mode: shared.forcedMode === "DRY_RUN" ? "DRY_RUN" : rule.mode,
    }));
  const baseNormalizeOptions: NormalizeOptions = {
    resolver: shared.resolver,
    maxBodyBytes: shared.maxBodyBytes,
    bodyTimeoutMs: shared.bodyTimeoutMs,
  };

  function normalize(input: ProtectableRequest, extra: Readonly<Record<string, unknown>>, options?: ProtectOptions): NormalizedRequest {
    const normalizeOptions =
      options?.socketIp !== undefined ? { ...baseNormalizeOptions, socketIp: options.socketIp } : baseNormalizeOptions;
    return normalizeRequest(input, extra, normalizeOptions);
  }

  /**
   * Not an async function: while every rule answers synchronously (a memory
   * store rate limit, local checks) protect() runs straight through and
   * returns one resolved promise. An async function would also allocate its
   * suspended state on every call; that is left to `protectRest`, which takes
   * over at the first rule that returns a promise.
   */
  function protect(
    input: ProtectableRequest,
    extra: Readonly<Record<string, unknown>> = NO_EXTRA,
    options?: ProtectOptions,
  ): Promise<Decision> {
    const decided = decide(input, extra, options);
    return decided instanceof Promise ? decided : Promise.resolve(decided);
  }

  function decide(
    input: ProtectableRequest,
    extra: Readonly<Record<string, unknown>> = NO_EXTRA,
    options?: ProtectOptions,
  ): Decision | Promise<Decision> {
    const startedPrecise = monotonic.now();
    let started: number;
    let badClock: unknown;
    if (shared.wallClock === undefined) {
      try {
        started = shared.clock.now();
      } catch (error) {
        started = Number.NaN;
        badClock = error;
      }
      // An injected clock is checked once per request, here, and only here: a NaN passed every limit (every
      // comparison with it is false) and sent `t=NaN`; an infinite or huge value broke window arithmetic the same way.
      // One range test catches those and anything that is not a number.
      if (!isClockTime(started)) {
        return clockFailed(input, extra ?? NO_EXTRA, options, started, badClock, startedPrecise);
      }
    } else {
      started = shared.wallClock.at(startedPrecise);
    }
    let request: NormalizedRequest;
    try {
      request = normalize(input, extra ?? NO_EXTRA, options);
    } catch (error) {
      // Normalization is written not to throw; this is the last line of defence.
      const result = errorResult("NORMALIZE", "LIVE", ErrorCodes.REQUEST_UNREADABLE, error, 0);
      return finish(undefined, [result], started, startedPrecise, monotonic.now());
    }
    const context = new ProtectContext(request, shared, started);
    // Sized up front (a first push would reserve room for 16); trimmed in finish() if a rule stops the run.
    const results: RuleResult[] = new Array(rules.length);
    let count = 0;
    // One clock read per rule rather than two: each rule's end is the next
    // one's start, and the last rule's end is the decision's. The first rule
    // starts with the decision: its time includes normalization, which is lazy
    // (a few property reads) and not worth a clock read of its own.
    let ruleStarted = startedPrecise;
    for (let index = 0; index < rules.length; index++) {
      const prepared = rules[index] as PreparedRule;
      let result: RuleResult;
      try {
        const evaluated = prepared.rule.evaluate(context);
        if (isPromiseLike(evaluated)) return protectRest(context, results, count, index, evaluated, ruleStarted, started, startedPrecise);
        result = ruleResult(prepared, evaluated, monotonic.now() - ruleStarted);
      } catch (error) {
        result = failedResult(prepared, error, monotonic.now() - ruleStarted);
      }
      results[count++] = result;
      ruleStarted += result.durationMs;
      if (result.conclusion === "DENY" && result.mode === "LIVE") break;
    }
    if (count < results.length) results.length = count; // setting `length` is a runtime call: only when a rule stopped the run
    return finish(request, results, started, startedPrecise, count > 0 ? ruleStarted : monotonic.now());
  }

  /**
   * The decision when the injected clock gave no usable time: no rule runs (a rate limit cannot count without
   * one), and the request gets an ERROR that `onError` lets through or denies, logged like a failed rule. The
   * decision is stamped with the system time, so logs still sort it.
   */
  function clockFailed(
    input: ProtectableRequest,
    extra: Readonly<Record<string, unknown>>,
    options: ProtectOptions | undefined,
    reading: unknown,
    thrown: unknown,
    startedPrecise: number,
  ): Decision {
    const error = new ParapetError(
      ErrorCodes.CLOCK_INVALID,
      `the \`clock\` passed to parapet() ${clockProblem(reading, thrown)} instead of epoch milliseconds; make clock.now() return a finite number such as Date.now(), or leave \`clock\` out`,
    );
    const result = errorResult("CLOCK", "LIVE", ErrorCodes.CLOCK_INVALID, error, 0);
    let request: NormalizedRequest | undefined;
    try {
      request = normalize(input, extra, options);
    } catch {
      request = undefined;
    }
    return finish(request, [result], Date.now(), startedPrecise, monotonic.now());
  }

  /** The rest of a run once rule `index` returned `pending`: from here on, each rule may be awaited. */
  async function protectRest(
    context: ProtectContext,
    results: RuleResult[],
    count: number,
    index: number,
    pending: PromiseLike<RuleEvaluation>,
    ruleStarted: number,
    started: number,
    startedPrecise: number,
  ): Promise<Decision> {
    let awaiting: PromiseLike<RuleEvaluation> | undefined = pending;
    for (; index < rules.length; index++) {
      const prepared = rules[index] as PreparedRule;
      let result: RuleResult;
      try {
        const evaluated = awaiting ?? prepared.rule.evaluate(context);
        awaiting = undefined;
        const evaluation = isPromiseLike(evaluated) ? await evaluated : evaluated;
        result = ruleResult(prepared, evaluation, monotonic.now() - ruleStarted);
      } catch (error) {
        result = failedResult(prepared, error, monotonic.now() - ruleStarted);
      }
      results[count++] = result;
      ruleStarted += result.durationMs;
      if (result.conclusion === "DENY" && result.mode === "LIVE") break;
    }
    if (count < results.length) results.length = count;
    return finish(context.request, results, started, startedPrecise, count > 0 ? ruleStarted : monotonic.now());
  }

  /** The decision from the results; failures are logged and observers told. `request` is undefined when it could not be read. */
  function finish(
    request: NormalizedRequest | undefined,
    results: readonly RuleResult[],
    started: number,
    startedPrecise: number,
    ended: number,
  ): Decision {
    const decision = createDecision({
      results,
      ip: request?.ip ?? "unknown",
      timestamp: started,
      durationMs: ended - startedPrecise,
      onError: shared.onError,
    });
    if (request === undefined) return decision;
    try {
      if (decision.isErrored()) warnRuleFailed(decision.reason.message, started);
      if (shared.observers.length > 0) notify(decision, request);
    } catch {
      // Only the app's logger can throw here; the decision still stands and protect() must not throw.
    }
    return decision;
  }

  // A dead store fails every request; one warning per interval (with a count)
  // keeps the log readable and cheap instead of one line per request.
  const ruleFailures = new NoticeThrottle(RULE_FAILURE_WARN_INTERVAL_MS);
  // `now` is the decision's time: reading the clock again here flooded the log with one warning per request when
  // the clock was the thing that failed (NaN minus anything is never under the interval).
  function warnRuleFailed(reason: string, now: number): void {
    const suppressed = ruleFailures.pass(now);
    if (suppressed === undefined) return;
    shared.logger.warn("rule failed", suppressed > 0 ? { reason, suppressedSinceLastWarning: suppressed } : { reason });
  }

  function notify(decision: Decision, request: NormalizedRequest): void {
    for (const observer of shared.observers) {
      try {
        const returned: unknown = observer.onDecision(decision, request);
        if (returned !== undefined) catchRejection(returned, "decision observer");
      } catch (error) {
        shared.logger.error("decision observer threw; it must queue and return", { error: messageOf(error) });
      }
    }
  }

  /**
   * An observer typed to return nothing may still be an async function; its
   * rejection would otherwise be unhandled, which ends a Node process by default.
   */
  function catchRejection(returned: unknown, what: string): void {
    if (!isPromiseLike(returned)) return;
    Promise.resolve(returned).catch((error: unknown) => {
      shared.logger.error(`${what} rejected; it must queue and return`, { error: messageOf(error) });
    });
  }

  /**
   * The injected clock's time for an auth event, or the system's when it gave none: a NaN stamp poisoned the
   * detectors' buckets for that account (every later comparison false), and a throw lost the event under a
   * misleading "observer threw". Logged as protect() logs it, at most once per interval.
   */
  function authEventTime(): number {
    let reading: unknown;
    let thrown: unknown;
    try {
      reading = shared.clock.now();
    } catch (error) {
      thrown = error;
    }
    if (thrown === undefined && isClockTime(reading)) return reading;
    const now = Date.now();
    warnRuleFailed(
      `the \`clock\` passed to parapet() ${clockProblem(reading, thrown)} instead of epoch milliseconds; auth events are stamped with the system time`,
      now,
    );
    return now;
  }

  function reportAuth(type: AuthEvent["type"], input: ProtectableRequest, report?: AuthReport): void {
    try {
      const request = normalize(input, NO_EXTRA);
      const event: AuthEvent = {
        type,
        timestamp: authEventTime(),
        ip: request.ip,
        request,
        ...(report?.user !== undefined ? { user: report.user } : {}),
      };
      for (const observer of shared.observers) {
        const returned: unknown = observer.onAuthEvent?.(event);
        if (returned !== undefined) catchRejection(returned, "auth event observer");
      }
    } catch (error) {
      shared.logger.error("auth event observer threw", { error: messageOf(error) });
    }
  }

  return {
    logger: shared.logger,
    protect,
    decide,
    reportAuthFailure: (request, report) => reportAuth("failure", request, report),
    reportAuthSuccess: (request, report) => reportAuth("success", request, report),
    withRule: (...more) => {
      validateRules(more);
      // The rules as given, not as renamed: nameUniquely runs again over the whole list.
      return createClient(shared, [...ruleList, ...more], true);
    },
    async close() {
      // The store and observers belong to the client parapet() made: closing a withRule() client (a login route's,
      // say) must not close them under its siblings, which would then fail open on every request.
      if (derived) return;
      const results = await Promise.allSettled([...shared.observers.map((o) => o.close?.()), shared.store.close?.()]);
      for (const result of results) {
        if (result.status === "rejected") shared.logger.error("close failed", { error: messageOf(result.reason) });
      }
    },
  };
}

/** A class rather than a literal with a `key` closure: one allocation per request, one shape. */
class ProtectContext implements RuleContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;

  constructor(
    readonly request: NormalizedRequest,
    private readonly shared: Shared,
    readonly now: number,
  ) {
    this.store = shared.store;
    this.clock = shared.clock;
    this.logger = shared.logger;
  }

  key(ruleId: string, characteristics?: readonly string[]): string {
    const list = characteristics ?? this.shared.characteristics;
    const { request, shared } = this;
    // An unknown IP is not cached: buildKey throws CHARACTERISTIC_MISSING for it.
    if (list.length !== 1 || list[0] !== "ip" || request.ip === "unknown") return buildKey(ruleId, list, request, shared.resolver);
    const cached = shared.ipKeys.get(ruleId, request.ip);
    if (cached !== undefined) return cached;
    const key = buildKey(ruleId, list, request, shared.resolver);
    shared.ipKeys.set(ruleId, request.ip, key);
    return key;
  }
}

function ruleResult({ rule, ruleId, mode }: PreparedRule, evaluation: RuleEvaluation, durationMs: number): RuleResult {
  // Two literals rather than a spread: this runs on every request.
  return evaluation.key !== undefined
    ? { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, key: evaluation.key, durationMs }
    : { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, durationMs };
}

function failedResult({ rule, ruleId, mode }: PreparedRule, error: unknown, durationMs: number): RuleResult {
  // A characteristic the client could reshape (an array where a user name was expected) is a denial, not an
  // error: an error fails open by default, which let the client switch the limit off.
  if (error instanceof ParapetError && error.code === ErrorCodes.CHARACTERISTIC_INVALID) {
    const reason: Reason = { type: INVALID_CHARACTERISTIC, message: error.message };
    return { ruleId, ruleType: rule.type, mode, conclusion: "DENY", reason, durationMs };
  }
  return errorResult(ruleId, mode, codeOf(error), error, durationMs, rule.type);
}

/** The reason type of a denial for an unusable characteristic value; answered with 403. */
const INVALID_CHARACTERISTIC = "INVALID_CHARACTERISTIC";

function errorResult(ruleId: string, mode: Mode, code: string, error: unknown, durationMs: number, ruleType = ruleId): RuleResult {
  const reason: ErrorReason = { type: "ERROR", code, message: `${ruleId} failed: ${messageOf(error)}` };
  return { ruleId, ruleType, mode, conclusion: "ERROR", reason, durationMs };
}

function validateRules(rules: readonly Rule[]): void {
  for (const [index, rule] of rules.entries()) {
    if (!rule || typeof rule.evaluate !== "function" || typeof rule.type !== "string" || typeof rule.cost !== "number") {
      throw optionError("parapet", `rules[${index}] is not a rule; create rules with fixedWindow(), shield(), detectBot()…`);
    }
  }
}

/**
 * RateLimit names the policy closest to its limit by name, so the names in one
 * response must differ (two unnamed one-minute windows were both "fixed-60s").
 * An unnamed rule whose generated name is taken gets "-2", "-3"…; two LIVE
 * rules the app gave one name are refused, since the app chose the name.
 */
function nameUniquely(shared: Shared, rules: readonly Rule[]): Rule[] {
  const taken = new Set<string>();
  const live = new Set<string>();
  for (const rule of rules) {
    if (rule.type !== RATE_LIMIT || rule.name === undefined || rateLimitInternals(rule)?.named === false) continue;
    const inHeaders = shared.forcedMode !== "DRY_RUN" && rule.mode === "LIVE";
    if (inHeaders && live.has(rule.name)) {
      throw optionError(
        "parapet",
        `two LIVE rate limits in one client are named "${rule.name}": the RateLimit header names the policy a client is closest to by its name, so give each its own name (e.g. "${rule.name}-minute" and "${rule.name}-hour")`,
      );
    }
    if (inHeaders) live.add(rule.name);
    taken.add(rule.name);
  }
  return rules.map((rule) => {
    const info = rateLimitInternals(rule);
    if (info === undefined || info.named || rule.name === undefined) return rule;
    let name = rule.name;
    for (let n = 2; taken.has(name); n++) name = `${rule.name}-${n}`;
    taken.add(name);
    return name === rule.name ? rule : info.renamed(name);
  });
}

/**
 * Two rules of one client counting on the same state (one rate limit twice, or
 * two with one name, algorithm and window) would count every request twice on
 * one counter. Rate limits counting by different characteristics keep apart
 * (their keys differ), so they are not refused.
 */
function refuseSharedState(rules: readonly Rule[], characteristics: readonly Characteristic[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.stateId === undefined) continue;
    const info = rateLimitInternals(rule);
    const state = info === undefined ? rule.stateId : `${rule.stateId}|${(info.characteristics ?? characteristics).join(",")}`;
    if (seen.has(state)) {
      throw optionError(
        "parapet",
        `two rules count on the same state (${rule.stateId}): give each rate limit its own \`name\`, or keep one of them`,
      );
    }
    seen.add(state);
  }
}

function validate(options: ParapetOptions): void {
  if (!options || typeof options !== "object") throw optionError("parapet", "pass an options object: parapet({ rules: [...] })");
  if (!Array.isArray(options.rules))
    throw optionError("parapet", '`rules` must be an array of rules, e.g. [fixedWindow({ max: 10, window: "60s" })]');
  validateRules(options.rules);
  if (options.store !== undefined) {
    const store = options.store as Partial<Store> | null;
    if (
      !store ||
      typeof store.fixedWindow !== "function" ||
      typeof store.slidingWindow !== "function" ||
      typeof store.tokenBucket !== "function"
    ) {
      throw optionError(
        "parapet",
        "`store` must implement fixedWindow, slidingWindow and tokenBucket, e.g. new MemoryStore() or a RedisStore",
      );
    }
  }
  if (options.characteristics !== undefined) {
    const list = options.characteristics as unknown;
    if (!Array.isArray(list) || list.length === 0 || !list.every((name) => typeof name === "string" && name !== "" && name !== "header:")) {
      throw optionError(
        "parapet",
        '`characteristics` must be a non-empty array of names such as ["ip"], ["userId"] or ["header:x-api-key"]',
      );
    }
  }
  if (options.mode !== undefined && !MODES.includes(options.mode)) throw optionError("parapet", '`mode` must be "LIVE" or "DRY_RUN"');
  if (options.onError !== undefined && options.onError !== "open" && options.onError !== "closed") {
    throw optionError("parapet", '`onError` must be "open" (allow when a rule fails) or "closed" (deny with 503)');
  }
  for (const [name, value] of [
    ["maxBodyBytes", options.maxBodyBytes],
    ["bodyTimeoutMs", options.bodyTimeoutMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw optionError("parapet", `\`${name}\` must be a non-negative integer`);
  }
  // setTimeout takes at most 2^31 - 1 ms and runs a longer timer after 1 ms: every body would be cut at once and,
  // under the shield's default partialBody policy, every request with a text body denied.
  if (options.bodyTimeoutMs !== undefined && options.bodyTimeoutMs > MAX_TIMER_MS) {
    throw optionError("parapet", `\`bodyTimeoutMs\` must be at most ${MAX_TIMER_MS} (about 24 days); got ${options.bodyTimeoutMs}`);
  }
  // These are read on the request path, where a wrong shape would throw into the app (a clock without `now`)
  // or be skipped without a word (observers that are not a list).
  const clock = options.clock as Partial<Clock> | null | undefined;
  if (clock !== undefined && (clock === null || typeof clock.now !== "function")) {
    throw optionError(
      "parapet",
      "`clock` must be an object with a now() method returning epoch milliseconds, e.g. { now: () => Date.now() }",
    );
  }
  const logger = options.logger as Partial<Logger> | null | undefined;
  if (logger !== undefined && (logger === null || typeof logger.warn !== "function" || typeof logger.error !== "function")) {
    throw optionError("parapet", "`logger` must have warn() and error() methods (console works), or pass silentLogger");
  }
  if (options.observers !== undefined) {
    const observers = options.observers as unknown;
    if (!Array.isArray(observers)) throw optionError("parapet", "`observers` must be an array, e.g. [observed.observer]");
    for (const [index, observer] of observers.entries()) {
      if (!observer || typeof (observer as Partial<DecisionObserver>).onDecision !== "function") {
        throw optionError("parapet", `observers[${index}] has no onDecision() method; pass observe(…).observer`);
      }
    }
  }
}

/**
 * Trusting that much public space is legal but almost always a mistake (see widePublicRanges), and cannot be told
 * from an internal network routed over unallocated space; so a warning, once, rather than a refusal.
 */
function warnWidePublicProxies(proxies: readonly string[] | undefined, logger: Logger): void {
  if (!proxies) return;
  const wide = widePublicRanges(parseRanges(proxies, "parapet `proxies`"));
  if (wide.length === 0) return;
  logger.warn(
    "trusted `proxies` hold more public addresses than a /8 (IPv4) or /32 (IPv6): a client connecting from any of them can choose its own IP with a forwarding header; list only your proxies' own ranges, or set `platform`",
    { ranges: wide.map((range) => `${formatIp(range.network)}/${range.prefixLength}`) },
  );
}

/**
 * The furthest an injected clock may read from the epoch: the range of a JavaScript Date (±100,000,000 days).
 * Window arithmetic on such a time plus the longest window stays exact in a double.
 */
const MAX_CLOCK_MS = 8.64e15;

/** A reading of an injected clock that is a time: epoch milliseconds within Date's range (NaN and Infinity are not). */
function isClockTime(reading: unknown): reading is number {
  return typeof reading === "number" && reading >= -MAX_CLOCK_MS && reading <= MAX_CLOCK_MS;
}

/** What an injected clock did instead of giving a time, for the message that says so. */
function clockProblem(reading: unknown, thrown: unknown): string {
  return thrown !== undefined
    ? `threw (${messageOf(thrown)})`
    : `returned ${typeof reading === "number" ? String(reading) : typeof reading}`;
}

/** The longest delay setTimeout honours (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;
