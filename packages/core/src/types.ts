/**
 * The core contract of Parapet. Every rule, store, adapter and sink speaks in
 * these types; nothing here knows about a framework or does I/O.
 */

/** LIVE rules deny; DRY_RUN rules compute and report what they would have done. */
export type Mode = "LIVE" | "DRY_RUN";

export type Conclusion = "ALLOW" | "DENY" | "ERROR";

/**
 * Why a rule concluded what it did. Each rule family extends this with its own
 * fields (see `RateLimitReason`); `type` is the discriminant.
 */
export interface Reason {
  readonly type: string;
  /** One human sentence, safe to log and to show in a 403/429 body. */
  readonly message: string;
}

export interface RateLimitReason extends Reason {
  readonly type: "RATE_LIMIT";
  readonly algorithm: "fixedWindow" | "slidingWindow" | "tokenBucket";
  /** Requests (or tokens) allowed per window. */
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the quota is fully or partly restored. */
  readonly resetSeconds: number;
  /** The window in seconds; for a token bucket, the time an empty bucket takes to fill (limit / window is the sustained rate). */
  readonly windowSeconds: number;
  /** Seconds the client should wait before retrying; only on a denial. */
  readonly retryAfterSeconds?: number;
  /** The policy name used in the RateLimit headers. */
  readonly policy: string;
  /**
   * The `q` and `w` of RateLimit-Policy, when they are not `limit` and `windowSeconds` rounded up: the draft's
   * window is whole seconds, so a token bucket that fills in half a second, or a 1.5 s window, advertises the
   * same sustained rate over the shortest whole number of seconds that carries it (and is no shorter than the
   * window or the bucket's fill time): `quota / windowSeconds` is the rate. Set by the built-in rate limits.
   */
  readonly advertised?: AdvertisedQuota;
}

/** A quota as RateLimit-Policy states it: `quota` requests (or tokens) per `windowSeconds` whole seconds. */
export interface AdvertisedQuota {
  readonly quota: number;
  readonly windowSeconds: number;
}

export interface ErrorReason extends Reason {
  readonly type: "ERROR";
  /** A stable code from the error catalogue (`PARAPET_E_…`). */
  readonly code: string;
}

export interface AllowReason extends Reason {
  readonly type: "ALLOWED";
}

/** The outcome of one rule for one request. */
export interface RuleResult<R extends Reason = Reason> {
  /** The rule's id: its type plus, where given, its name (`RATE_LIMIT:api`). */
  readonly ruleId: string;
  readonly ruleType: string;
  readonly mode: Mode;
  readonly conclusion: Conclusion;
  readonly reason: R;
  /** The characteristic key the rule counted against, where it has one. */
  readonly key?: string;
  /** Time spent in the rule, in milliseconds. */
  readonly durationMs: number;
}

/** What `protect()` tells the application. */
export interface Decision {
  readonly id: string;
  /**
   * ALLOW, DENY, or ERROR when a rule or store failed. An ERROR is denied
   * only under `onError: "closed"`: check `isDenied()`, not the conclusion.
   */
  readonly conclusion: Conclusion;
  /** The reason of the rule that decided: the first LIVE denial, else the first error, else ALLOWED. */
  readonly reason: Reason;
  readonly results: readonly RuleResult[];
  /** The client IP as resolved (proxies honoured only where trusted). */
  readonly ip: string;
  /** Response headers to send: RateLimit-Policy, RateLimit, Retry-After. */
  readonly headers: Readonly<Record<string, string>>;
  /** The HTTP status a denial should be answered with (429, 403 or 503); 200 when allowed. */
  readonly status: number;
  readonly timestamp: number;
  readonly durationMs: number;
  isDenied(): boolean;
  isAllowed(): boolean;
  isErrored(): boolean;
}

/** A request body read once, bounded, and kept for the app. */
export interface BodyContent {
  /** The bytes read, at most `maxBodyBytes`. */
  readonly bytes: Uint8Array;
  /** True when the body was larger than the limit and only a prefix was read. */
  readonly truncated: boolean;
  /** The declared content type, lowercased, parameters stripped (`application/json`). */
  readonly contentType: string;
  /** The body already parsed by the framework (e.g. express.json()), when there is one. */
  readonly parsed?: unknown;
  /**
   * The whole body as the string it arrived as (a plain request object with a
   * string `body`), when it fit `maxBodyBytes`; `bytes` is then its UTF-8
   * encoding. A reader that wants text uses it and skips an encode/decode
   * round trip. Never a cut string: absent when `truncated` is true.
   */
  readonly text?: string;
  /**
   * True when the app (or a middleware) read the body, or locked its stream, before `protect()`: a Web
   * Request's body can be read once, so nothing was left to inspect. `bytes` is then empty and `truncated`
   * true, so a rule that reads bodies can tell "not inspected" from "no body".
   */
  readonly consumed?: true;
}

/** A request as Parapet sees it, built once per `protect()` call. */
export interface NormalizedRequest {
  readonly method: string;
  /** The path, not decoded, without the query string. Always starts with "/". */
  readonly path: string;
  /** The raw query string without "?", possibly empty. */
  readonly query: string;
  /** Header names lowercased; repeated headers joined with ", " (cookies with "; "). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * One header by its lowercase name, the same value `headers[name]` gives,
   * found without normalizing every header: cheaper for a caller that needs
   * one or two (a decision log reading User-Agent).
   */
  header(name: string): string | undefined;
  readonly host: string;
  /** The client IP after proxy resolution, canonical form. */
  readonly ip: string;
  /** The address of the TCP peer, before proxy resolution. */
  readonly socketIp: string;
  /** Values the app passed to `protect(req, extra)`, e.g. `{ userId }`. */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Problems found while normalizing (bad URL, missing host, oversize headers). */
  readonly anomalies: readonly string[];
  /** Reads the body once, bounded; later calls return the same promise. Never rejects. */
  body(): Promise<BodyContent | undefined>;
}

/** A source of time, injected so tests can drive windows. Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a rule gets to work with. */
export interface RuleContext {
  readonly request: NormalizedRequest;
  readonly store: Store;
  readonly clock: Clock;
  /**
   * `clock.now()` as read when protect() was called. Rules that count time
   * use it rather than reading the clock again: one request is judged at one
   * instant (its arrival), and the clock is read once per request.
   */
  readonly now: number;
  readonly logger: Logger;
  /** Builds the counting key for a rule from its characteristics; throws `ParapetError` if one is missing. */
  key(ruleId: string, characteristics?: readonly string[]): string;
}

/**
 * Every rule implements this. Rules are created once (options validated then,
 * loudly) and `evaluate` runs per request (failures become ERROR results).
 */
export interface Rule {
  readonly type: string;
  /** Distinguishes two rules of one type in results, keys and headers. */
  readonly name?: string;
  readonly mode: Mode;
  /** Relative cost; rules run cheapest first. Local checks ~1-10, store round trips ~50. */
  readonly cost: number;
  /**
   * The key prefix of the state this rule counts in the store, for rules that
   * keep state. Two rules of one client with the same stateId would count
   * every request twice on one counter, so parapet() refuses them.
   */
  readonly stateId?: string;
  evaluate(context: RuleContext): Promise<RuleEvaluation> | RuleEvaluation;
}

/** What a rule returns; the pipeline adds ids, mode and timing. */
export interface RuleEvaluation {
  readonly conclusion: Conclusion;
  readonly reason: Reason;
  readonly key?: string;
}

/* ----------------------------------------------------------------- stores */

export interface FixedWindowParams {
  readonly limit: number;
  readonly windowMs: number;
  /** Requests this call counts for (default 1). */
  readonly cost: number;
}

export interface SlidingWindowParams {
  readonly limit: number;
  readonly windowMs: number;
  readonly cost: number;
}

export interface TokenBucketParams {
  readonly capacity: number;
  /** Tokens added every `intervalMs`. */
  readonly refillRate: number;
  readonly intervalMs: number;
  /** Tokens this call takes. */
  readonly requested: number;
}

/** A store's answer for one rate-limit step, taken atomically. */
export interface RateLimitState {
  readonly allowed: boolean;
  /** Requests or tokens left after this call. */
  readonly remaining: number;
  /** Milliseconds until the window resets (fixed), the oldest weight leaves (sliding) or the bucket is full (token). */
  readonly resetMs: number;
  /** When denied: milliseconds until a retry of the same cost could pass. */
  readonly retryAfterMs: number;
}

/**
 * Where rate-limit state lives. Each method is one atomic step (check and
 * count together), so a distributed store can run it server-side without a
 * read-modify-write race. `now` is the caller's clock; a store with its own
 * authoritative time (Redis TIME) may ignore it.
 * A store that answers in-process (the memory store) returns the state
 * directly: the rule then stays synchronous and the request pays for no
 * promise. A remote store returns a promise. A step may throw or reject.
 */
export interface Store {
  fixedWindow(key: string, params: FixedWindowParams, now: number): RateLimitState | Promise<RateLimitState>;
  slidingWindow(key: string, params: SlidingWindowParams, now: number): RateLimitState | Promise<RateLimitState>;
  tokenBucket(key: string, params: TokenBucketParams, now: number): RateLimitState | Promise<RateLimitState>;
  /** Releases timers and connections. */
  close?(): Promise<void>;
}

/* -------------------------------------------------------------- observers */

/** An authentication outcome reported by the app (`reportAuthFailure`). */
export interface AuthEvent {
  readonly type: "failure" | "success";
  readonly timestamp: number;
  readonly ip: string;
  readonly user?: string;
  readonly request: NormalizedRequest;
}

/**
 * Receives every decision after it is made, off the request path. Sinks and
 * detectors (e.g. @parapet/observe) implement this; they must not throw and
 * must not block (queue and return).
 */
export interface DecisionObserver {
  onDecision(decision: Decision, request: NormalizedRequest): void;
  onAuthEvent?(event: AuthEvent): void;
  close?(): Promise<void>;
}
