import type { ParapetOptions } from "./client.js";
import { optionError } from "./errors.js";
import { parseRanges } from "./ip/cidr.js";
import { formatIp } from "./ip/parse.js";
import { widePublicRanges } from "./ip/range-union.js";
import type { Clock, DecisionObserver, Logger, Mode, Rule, Store } from "./types.js";

const MODES: readonly Mode[] = ["LIVE", "DRY_RUN"];

/** The longest delay setTimeout honours (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/** Refuses options the request path could not use, saying what to pass instead. */
export function validateOptions(options: ParapetOptions): void {
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
export function warnWidePublicProxies(proxies: readonly string[] | undefined, logger: Logger): void {
  if (!proxies) return;
  const wide = widePublicRanges(parseRanges(proxies, "parapet `proxies`"));
  if (wide.length === 0) return;
  logger.warn(
    "trusted `proxies` hold more public addresses than a /8 (IPv4) or /32 (IPv6): a client connecting from any of them can choose its own IP with a forwarding header; list only your proxies' own ranges, or set `platform`",
    { ranges: wide.map((range) => `${formatIp(range.network)}/${range.prefixLength}`) },
  );
}

export function validateRules(rules: readonly Rule[]): void {
  for (const [index, rule] of rules.entries()) {
    if (!rule || typeof rule.evaluate !== "function" || typeof rule.type !== "string" || typeof rule.cost !== "number") {
      throw optionError("parapet", `rules[${index}] is not a rule; create rules with fixedWindow(), shield(), detectBot()…`);
    }
  }
}
