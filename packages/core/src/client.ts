import { buildKey, type Characteristic, DEFAULT_CHARACTERISTICS } from "./characteristics.js";
import { validateOptions, validateRules, warnWidePublicProxies } from "./client-options.js";
import { clockProblem, isClockTime } from "./clock-reading.js";
import { createDecision, type ErrorPolicy } from "./decision.js";
import { ErrorCodes, messageOf, ParapetError } from "./errors.js";
import { type ClientIpOptions, createClientIpResolver, type ForwardedHeader, type Platform } from "./ip/client-ip.js";
import { IpKeyCache } from "./ip-key-cache.js";
import { consoleLogger } from "./logger.js";
import { NoticeThrottle } from "./notice-throttle.js";
import { isPromiseLike } from "./promise-like.js";
import { type NormalizeOptions, normalizeRequest, type ProtectableRequest } from "./request/normalize.js";
import { errorResult, failedResult, type PreparedRule, ruleResult } from "./rule-results.js";
import { nameUniquely, refuseSharedState } from "./rule-set.js";
import { MemoryStore } from "./store/memory.js";
import type {
  AuthEvent,
  Clock,
  Decision,
  DecisionObserver,
  Logger,
  Mode,
  NormalizedRequest,
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

// `performance` is an accessor on Node's global object: looked up once here, not at every clock read.
const monotonic: { now(): number } = globalThis.performance;
/** `protect(req)` without extra values: one shared, frozen record rather than a new `{}` per request. */
const NO_EXTRA: Readonly<Record<string, unknown>> = Object.freeze({});
const RULE_FAILURE_WARN_INTERVAL_MS = 10_000;
const systemClock: Clock = { now: () => Date.now() };

export function parapet(options: ParapetOptions): Parapet {
  validateOptions(options);
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

/** `derived`: made by withRule(), which shares the store and observers of the client it came from. */
function createClient(shared: Shared, ruleList: readonly Rule[], derived = false): Parapet {
  refuseSharedState(ruleList, shared.characteristics);
  const placedRules = nameUniquely(shared.forcedMode, ruleList);
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
