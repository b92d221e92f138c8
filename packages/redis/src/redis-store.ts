import {
  type Clock,
  consoleLogger,
  ErrorCodes,
  type FixedWindowParams,
  type Logger,
  messageOf,
  NoticeThrottle,
  optionError,
  ParapetError,
  type RateLimitState,
  type SlidingWindowParams,
  type Store,
  type TokenBucketParams,
} from "@parapet/core";
import type { Redis } from "ioredis";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker.js";
import { DeadlineQueue } from "./deadline-queue.js";
import { DenyCache } from "./deny-cache.js";
import { InFlight } from "./in-flight.js";
import { type Algorithm, redisKey } from "./keys.js";
import { closeRedisClient, createRedisClient, isDisconnected, type RedisClientLike } from "./redis-client.js";
import { describeRedisError, isReplyError } from "./redis-errors.js";
import { isReplacement, parseReply, requireCount, requirePositive } from "./reply.js";
import { FIXED_WINDOW } from "./scripts/fixed-window.js";
import type { LuaScript } from "./scripts/lua-script.js";
import { SLIDING_WINDOW } from "./scripts/sliding-window.js";
import { TOKEN_BUCKET } from "./scripts/token-bucket.js";

export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` instance. The store never closes a client
   * it was given. Without one, the store connects to `url` and owns that client.
   */
  readonly client?: RedisClientLike;
  /** Where to connect when no client is given. Default "redis://127.0.0.1:6379". */
  readonly url?: string;
  /** Prepended to every key. Default "parapet:". May not contain "{" or "}" (the Cluster hash tag). */
  readonly prefix?: string;
  /**
   * The longest a decision waits for Redis, in ms. Default 50: a rate limit
   * must not become the slowest part of a request. On timeout the call fails
   * with PARAPET_E_STORE_TIMEOUT and the client's `onError` policy decides.
   * At most 2,147,483,647 (Node's longest timer).
   */
  readonly timeoutMs?: number;
  readonly circuitBreaker?: {
    /** Consecutive failures that open the circuit. Default 5. */
    readonly failureThreshold?: number;
    /** How long calls fail at once before one probe is tried. Default 1,000 ms. */
    readonly cooldownMs?: number;
  };
  /** Local "denied until" cache; `false` turns it off. Default 10,000 entries. */
  readonly denyCache?: false | { readonly maxEntries?: number };
  /** Monotonic time for the timeout, breaker and deny cache. Default `performance.now()`. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const monotonicClock: Clock = { now: () => performance.now() };

/** How long close() waits for calls in flight and then QUIT, in all, before it drops the connection. */
const CLOSE_GRACE_MS = 1_000;

/** A condition that repeats per request (a key replaced, scripts reloaded) is logged at most this often. */
const NOTICE_INTERVAL_MS = 60_000;

/** setTimeout's limit: a 32-bit signed number of milliseconds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A rate-limit store on Redis. Each decision is one Lua script run atomically
 * on the server (EVALSHA, falling back to EVAL when Redis answers NOSCRIPT),
 * so concurrent app servers can never both take the last request. Windows
 * and refills use the Redis server's clock (or Redis's own key expiry), never
 * the app server's: the `now` argument of each method is ignored.
 *
 * Failures (timeout, refused connection, open circuit) throw a ParapetError
 * with code PARAPET_E_STORE_TIMEOUT or PARAPET_E_STORE_FAILED; the Parapet
 * client turns it into an ERROR result and applies its `onError` policy:
 * "open" lets the request through, "closed" answers 503.
 */
export class RedisStore implements Store {
  readonly #client: RedisClientLike;
  /** The client made from `url`, which close() closes; a client passed in is the app's and stays open. */
  readonly #ownedClient: Redis | undefined;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #deadlines: DeadlineQueue;
  readonly #breaker: CircuitBreaker;
  readonly #denials: DenyCache | undefined;
  readonly #logger: Logger;
  readonly #inFlight = new InFlight();
  /** The injected clock (monotonic by default): the breaker, the deny cache and the notice throttles read it. */
  readonly #clock: Clock;
  readonly #replacements: NoticeThrottle;
  readonly #reloads: NoticeThrottle;
  /** Scripts Redis has run for this store: NOSCRIPT for one of them means Redis lost its script cache. */
  readonly #scriptsRun = new Set<string>();
  /** The last failure the circuit breaker counted, named in the "circuit opened" warning. */
  #lastFailure = "";
  #closed = false;

  constructor(options: RedisStoreOptions = {}) {
    const settings = validateOptions(options);
    this.#logger = options.logger ?? consoleLogger;
    this.#prefix = settings.prefix;
    this.#timeoutMs = settings.timeoutMs;
    // Real time, not the injected clock: the deadline is enforced by a real timer.
    this.#deadlines = new DeadlineQueue(settings.timeoutMs, () => performance.now());
    const clock = options.clock ?? monotonicClock;
    this.#breaker = new CircuitBreaker({
      failureThreshold: settings.failureThreshold,
      cooldownMs: settings.cooldownMs,
      now: () => clock.now(),
      onStateChange: (state, previous) => this.#reportCircuit(state, previous, settings.cooldownMs),
    });
    this.#denials = settings.denyCacheEntries > 0 ? new DenyCache(settings.denyCacheEntries, () => clock.now()) : undefined;
    this.#clock = clock;
    this.#replacements = new NoticeThrottle(NOTICE_INTERVAL_MS);
    this.#reloads = new NoticeThrottle(NOTICE_INTERVAL_MS);
    this.#ownedClient = options.client === undefined ? createRedisClient(options.url ?? "redis://127.0.0.1:6379", this.#logger) : undefined;
    this.#client = options.client ?? (this.#ownedClient as Redis);
  }

  /** "closed" normally; "open" while Redis is considered down. */
  get circuitState(): CircuitState {
    return this.#breaker.state;
  }

  async fixedWindow(key: string, params: FixedWindowParams, _now: number): Promise<RateLimitState> {
    return this.#decide(FIXED_WINDOW, key, "fw", windowArgs(params), params.cost);
  }

  async slidingWindow(key: string, params: SlidingWindowParams, _now: number): Promise<RateLimitState> {
    return this.#decide(SLIDING_WINDOW, key, "sw", windowArgs(params), params.cost);
  }

  async tokenBucket(key: string, params: TokenBucketParams, _now: number): Promise<RateLimitState> {
    const args = [
      requireCount(params.capacity, "capacity"),
      requirePositive(params.refillRate, "refillRate"),
      Math.ceil(requirePositive(params.intervalMs, "intervalMs")),
      requireCount(params.requested, "requested"),
    ];
    return this.#decide(TOKEN_BUCKET, key, "tb", args, params.requested);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#deadlines.unref();
    const owned = this.#ownedClient;
    if (owned === undefined) return;
    // QUIT leaves at once, but ioredis sends auto-pipelined commands on the next turn of the event loop (and a
    // NOSCRIPT answer is followed by an EVAL): quitting right away failed every decision already started with
    // "Connection is closed". Each call settles by its deadline; one CLOSE_GRACE_MS bounds the wait for them and
    // for QUIT together, so a long `timeoutMs` or a hung Redis does not hold close() longer than before.
    const giveUpAt = performance.now() + CLOSE_GRACE_MS;
    await this.#inFlight.idle(CLOSE_GRACE_MS);
    await closeRedisClient(owned, Math.max(0, giveUpAt - performance.now()));
  }

  async #decide(script: LuaScript, key: string, algorithm: Algorithm, args: readonly number[], cost: number): Promise<RateLimitState> {
    const fullKey = redisKey(this.#prefix, key, algorithm);
    // The limits are part of the cache key: two rules sharing a key but not a limit must not share denials.
    const cacheKey = this.#denials === undefined ? "" : `${fullKey}|${args.join(",")}`;
    const cached = this.#denials?.get(cacheKey, cost);
    if (cached !== undefined) return cached;
    if (this.#closed) throw new ParapetError(ErrorCodes.STORE_FAILED, "the Redis store is closed; create a new RedisStore");
    if (!this.#breaker.tryPass()) {
      throw new ParapetError(
        ErrorCodes.STORE_FAILED,
        "Redis circuit is open after repeated failures; calls are skipped until a probe succeeds. Check that Redis is up and reachable",
      );
    }
    if (isDisconnected(this.#client)) {
      throw this.#failure(
        new ParapetError(ErrorCodes.STORE_FAILED, `Redis is not connected (${this.#client.status}); the client is reconnecting`),
      );
    }
    let state: RateLimitState;
    this.#inFlight.start();
    try {
      const reply = await this.#run(script, fullKey, args);
      state = parseReply(reply, script.name);
      if (isReplacement(reply)) this.#reportReplacement(fullKey, script.name);
    } catch (error) {
      if (error instanceof ParapetError) throw this.#failure(error);
      const failure = new ParapetError(ErrorCodes.STORE_FAILED, `Redis ${script.name} failed: ${describeRedisError(error)}`, {
        cause: error,
      });
      if (!isReplyError(error)) throw this.#failure(failure);
      this.#breaker.recordSuccess();
      throw failure;
    } finally {
      this.#inFlight.end();
    }
    this.#breaker.recordSuccess();
    this.#scriptsRun.add(script.name);
    this.#denials?.remember(cacheKey, cost, state);
    return state;
  }

  /** Counts a call Redis did not answer (timeout, no connection, bad reply) towards opening the circuit. */
  #failure(error: ParapetError): ParapetError {
    this.#lastFailure = error.message;
    this.#breaker.recordFailure();
    return error;
  }

  /**
   * One script run, settled by its reply or its deadline, whichever comes
   * first. EVALSHA first; a restarted or flushed Redis has forgotten the
   * script, and answers NOSCRIPT: then EVAL runs and caches it again, within
   * the same deadline. A reply arriving after the deadline is handled and
   * dropped, never left as an unhandled rejection.
   */
  #run(script: LuaScript, key: string, args: readonly number[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call = this.#deadlines.add(() => reject(this.#timeoutError()));
      const answered = (reply: unknown) => {
        if (!call.waiting) return;
        call.waiting = false;
        resolve(reply);
      };
      const failed = (error: unknown) => {
        if (!call.waiting) return;
        call.waiting = false;
        reject(error);
      };
      this.#client.evalsha(script.sha, 1, key, ...args).then(answered, (error: unknown) => {
        if (call.waiting && messageOf(error).startsWith("NOSCRIPT")) {
          if (this.#scriptsRun.has(script.name)) this.#reportReload(script.name);
          this.#client.eval(script.source, 1, key, ...args).then(answered, failed);
        } else failed(error);
      });
    });
  }

  #timeoutError(): ParapetError {
    return new ParapetError(
      ErrorCodes.STORE_TIMEOUT,
      `Redis did not answer within ${this.#timeoutMs} ms; raise \`timeoutMs\` or check Redis latency`,
    );
  }

  #reportCircuit(state: CircuitState, previous: CircuitState, cooldownMs: number): void {
    // A failed probe reopens the circuit once per cooldown for as long as Redis stays down: that is the same
    // outage, already reported; warning each time logged it every second (at the default cooldown).
    if (state === "open" && previous === "closed") {
      this.#logger.warn("redis store: circuit opened; store calls fail at once", { retryInMs: cooldownMs, lastError: this.#lastFailure });
    } else if (state === "closed") this.#logger.warn("redis store: circuit closed; Redis answers again");
  }

  /**
   * A key under the prefix held something else than this script's state, and the script replaced it: that
   * client's limit started over. Once is a leftover (an older layout, a stray SET); repeatedly, another
   * program writes under the same prefix and keeps resetting limits, which the operator must stop.
   */
  #reportReplacement(key: string, script: string): void {
    const heldBack = this.#replacements.pass(this.#clock.now());
    if (heldBack === undefined) return;
    this.#logger.warn(
      "redis store: replaced a key that did not hold Parapet's state (another type or layout); that key's limit started over. If this repeats, another program writes under the same prefix: give Parapet a prefix or database of its own",
      { key, script, prefix: this.#prefix, othersSinceLastWarning: heldBack },
    );
  }

  /**
   * NOSCRIPT for a script Redis has already run for this store: its script cache was lost, which is what a
   * restart, a failover or SCRIPT FLUSH looks like from here, and a restart without persistence also lost
   * every count. Without this a quick restart (fewer failures than the breaker's threshold) logged nothing.
   * On a Cluster the first call on each further node looks the same, and is logged once too.
   */
  #reportReload(script: string): void {
    const heldBack = this.#reloads.pass(this.#clock.now());
    if (heldBack === undefined) return;
    this.#logger.warn(
      "redis store: Redis no longer knew a rate-limit script it had run (restart, failover, SCRIPT FLUSH, or a Cluster node's first call); sent it again. If Redis restarted without persistence, every window and bucket started over",
      { script, othersSinceLastWarning: heldBack },
    );
  }
}

interface Settings {
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly denyCacheEntries: number;
}

function validateOptions(options: RedisStoreOptions): Settings {
  if (options === null || typeof options !== "object")
    throw optionError("RedisStore", "pass an options object: new RedisStore({ client })");
  const { client } = options;
  if (client !== undefined && (typeof client.evalsha !== "function" || typeof client.eval !== "function")) {
    throw optionError("RedisStore", "`client` must be an ioredis Redis or Cluster instance (new Redis(url) or new Cluster(nodes))");
  }
  if (client !== undefined && options.url !== undefined) throw optionError("RedisStore", "pass either `client` or `url`, not both");
  if (options.url !== undefined && !/^rediss?:\/\//.test(options.url)) {
    throw optionError("RedisStore", '`url` must start with "redis://" or "rediss://", e.g. "redis://127.0.0.1:6379"');
  }
  const prefix = options.prefix ?? "parapet:";
  if (typeof prefix !== "string" || prefix.includes("{") || prefix.includes("}")) {
    throw optionError("RedisStore", '`prefix` must be a string without "{" or "}" (those would become the Redis Cluster hash tag)');
  }
  const timeoutMs = positiveInteger(options.timeoutMs, 50, "timeoutMs");
  // Node runs a longer timer after 1 ms instead, with a warning: the deadline timer re-armed every
  // millisecond while a call waited, printing a TimeoutOverflowWarning each time.
  if (timeoutMs > MAX_TIMER_MS) {
    throw optionError(
      "RedisStore",
      `\`timeoutMs\` must be at most ${MAX_TIMER_MS} (Node's longest timer, about 24.8 days); got ${timeoutMs}`,
    );
  }
  const failureThreshold = positiveInteger(options.circuitBreaker?.failureThreshold, 5, "circuitBreaker.failureThreshold");
  const cooldownMs = positiveInteger(options.circuitBreaker?.cooldownMs, 1_000, "circuitBreaker.cooldownMs");
  const denyCacheEntries = options.denyCache === false ? 0 : positiveInteger(options.denyCache?.maxEntries, 10_000, "denyCache.maxEntries");
  if (options.clock !== undefined && typeof options.clock.now !== "function")
    throw optionError("RedisStore", "`clock` must have a now() method");
  return { prefix, timeoutMs, failureThreshold, cooldownMs, denyCacheEntries };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0)
    throw optionError("RedisStore", `\`${name}\` must be a positive integer; got ${String(value)}`);
  return value;
}

/** Both window scripts take ARGV = limit, window ms, cost; checked here so a bad value never reaches Lua. */
function windowArgs(params: FixedWindowParams | SlidingWindowParams): number[] {
  return [requireCount(params.limit, "limit"), Math.ceil(requirePositive(params.windowMs, "windowMs")), requireCount(params.cost, "cost")];
}
