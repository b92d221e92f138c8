import { buildKey, type Characteristic, DEFAULT_CHARACTERISTICS } from "./characteristics.js";
import { createDecision, type ErrorPolicy } from "./decision.js";
import { codeOf, ErrorCodes, messageOf, optionError } from "./errors.js";
import { type ClientIpOptions, createClientIpResolver, type Platform } from "./ip/client-ip.js";
import { consoleLogger } from "./logger.js";
import { isPromiseLike } from "./promise-like.js";
import { type NormalizeOptions, normalizeRequest, type ProtectableRequest } from "./request/normalize.js";
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
  Rule,
  RuleContext,
  RuleEvaluation,
  RuleResult,
  Store,
} from "./types.js";

export interface ParapetOptions {
  readonly rules: readonly Rule[];
  /** What rules count by unless they say otherwise. Default ["ip"]. */
  readonly characteristics?: readonly Characteristic[];
  /** Trusted proxies (IPs, CIDRs, "loopback", "private"). Forwarding headers are ignored unless the peer is one. */
  readonly proxies?: readonly string[];
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
  /** A slow client's body is inspected as far as it arrived within this time. Default 2,000 ms. */
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
  /** Decides on one request. Never throws and never rejects. */
  protect(request: ProtectableRequest, extra?: Readonly<Record<string, unknown>>, options?: ProtectOptions): Promise<Decision>;
  /** Tells observers (credential-stuffing detectors) that a login failed. */
  reportAuthFailure(request: ProtectableRequest, report?: AuthReport): void;
  reportAuthSuccess(request: ProtectableRequest, report?: AuthReport): void;
  /** A client with more rules, sharing this one's store, options and observers. */
  withRule(...rules: Rule[]): Parapet;
  /** Flushes observers and closes the store. */
  close(): Promise<void>;
}

const MODES: readonly Mode[] = ["LIVE", "DRY_RUN"];
const RULE_FAILURE_WARN_INTERVAL_MS = 10_000;
const systemClock: Clock = { now: () => Date.now() };

export function parapet(options: ParapetOptions): Parapet {
  validate(options);
  const ipOptions: ClientIpOptions = {
    ...(options.proxies ? { proxies: options.proxies } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.ipv6Prefix !== undefined ? { ipv6Prefix: options.ipv6Prefix } : {}),
  };
  const resolver = createClientIpResolver(ipOptions);
  const shared: Shared = {
    resolver,
    store: options.store ?? new MemoryStore(),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? consoleLogger,
    observers: options.observers ?? [],
    characteristics: options.characteristics ?? DEFAULT_CHARACTERISTICS,
    forcedMode: options.mode,
    onError: options.onError ?? "open",
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 2_000,
  };
  return createClient(shared, options.rules);
}

interface Shared {
  readonly resolver: ReturnType<typeof createClientIpResolver>;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observers: readonly DecisionObserver[];
  readonly characteristics: readonly Characteristic[];
  readonly forcedMode: Mode | undefined;
  readonly onError: ErrorPolicy;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
}

/** What a rule's result repeats on every request, worked out once per client. */
interface PreparedRule {
  readonly rule: Rule;
  readonly ruleId: string;
  readonly mode: Mode;
}

function createClient(shared: Shared, ruleList: readonly Rule[]): Parapet {
  // Cheapest first; the sort is stable, so equal costs keep the order given.
  const rules: readonly PreparedRule[] = [...ruleList]
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

  async function protect(
    input: ProtectableRequest,
    extra: Readonly<Record<string, unknown>> = {},
    options?: ProtectOptions,
  ): Promise<Decision> {
    const started = shared.clock.now();
    const startedPrecise = performance.now();
    let request: NormalizedRequest;
    try {
      request = normalize(input, extra ?? {}, options);
    } catch (error) {
      // Normalization is written not to throw; this is the last line of defence.
      return createDecision({
        results: [errorResult("NORMALIZE", "LIVE", ErrorCodes.REQUEST_UNREADABLE, error, 0)],
        ip: "unknown",
        timestamp: started,
        durationMs: performance.now() - startedPrecise,
        onError: shared.onError,
      });
    }
    const context = new ProtectContext(request, shared);
    const results: RuleResult[] = [];
    // One clock read per rule rather than two: each rule's end is the next
    // one's start, and the last rule's end is the decision's.
    let ruleStarted = performance.now();
    for (const prepared of rules) {
      let result: RuleResult;
      try {
        // A synchronous rule (a memory-store rate limit, most local checks) is
        // not awaited: each await costs a promise and a trip through the microtask queue.
        const evaluated = prepared.rule.evaluate(context);
        const evaluation = isPromiseLike(evaluated) ? await evaluated : evaluated;
        result = ruleResult(prepared, evaluation, performance.now() - ruleStarted);
      } catch (error) {
        const { rule, ruleId, mode } = prepared;
        result = errorResult(ruleId, mode, codeOf(error), error, performance.now() - ruleStarted, rule.type);
      }
      results.push(result);
      ruleStarted += result.durationMs;
      if (result.conclusion === "DENY" && result.mode === "LIVE") break;
    }
    const decision = createDecision({
      results,
      ip: request.ip,
      timestamp: started,
      durationMs: (results.length > 0 ? ruleStarted : performance.now()) - startedPrecise,
      onError: shared.onError,
    });
    if (decision.isErrored()) warnRuleFailed(decision.reason.message);
    if (shared.observers.length > 0) notify(decision, request);
    return decision;
  }

  // A dead store fails every request; one warning per interval (with a count)
  // keeps the log readable and cheap instead of one line per request.
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  function warnRuleFailed(reason: string): void {
    const now = shared.clock.now();
    if (now - lastWarnAt < RULE_FAILURE_WARN_INTERVAL_MS) {
      suppressed++;
      return;
    }
    shared.logger.warn("rule failed", suppressed > 0 ? { reason, suppressedSinceLastWarning: suppressed } : { reason });
    lastWarnAt = now;
    suppressed = 0;
  }

  function notify(decision: Decision, request: NormalizedRequest): void {
    for (const observer of shared.observers) {
      try {
        observer.onDecision(decision, request);
      } catch (error) {
        shared.logger.error("decision observer threw; it must queue and return", { error: messageOf(error) });
      }
    }
  }

  function reportAuth(type: AuthEvent["type"], input: ProtectableRequest, report?: AuthReport): void {
    try {
      const request = normalize(input, {});
      const event: AuthEvent = {
        type,
        timestamp: shared.clock.now(),
        ip: request.ip,
        request,
        ...(report?.user !== undefined ? { user: report.user } : {}),
      };
      for (const observer of shared.observers) observer.onAuthEvent?.(event);
    } catch (error) {
      shared.logger.error("auth event observer threw", { error: messageOf(error) });
    }
  }

  return {
    protect,
    reportAuthFailure: (request, report) => reportAuth("failure", request, report),
    reportAuthSuccess: (request, report) => reportAuth("success", request, report),
    withRule: (...more) => {
      validateRules(more);
      return createClient(shared, [...ruleList, ...more]);
    },
    async close() {
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
  ) {
    this.store = shared.store;
    this.clock = shared.clock;
    this.logger = shared.logger;
  }

  key(ruleId: string, characteristics?: readonly string[]): string {
    return buildKey(ruleId, characteristics ?? this.shared.characteristics, this.request, this.shared.resolver);
  }
}

function ruleResult({ rule, ruleId, mode }: PreparedRule, evaluation: RuleEvaluation, durationMs: number): RuleResult {
  // Two literals rather than a spread: this runs on every request.
  return evaluation.key !== undefined
    ? { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, key: evaluation.key, durationMs }
    : { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, durationMs };
}

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
}
