/** Shared test fixtures: a clock the test drives, and request builders. */
import type { Clock, PlainRequest, RateLimitReason, Rule, RuleResult } from "../src/index.js";

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** Starts at a round epoch time so window boundaries are easy to reason about. */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    set(ms) {
      now = ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

export function plainRequest(ip = "203.0.113.7", overrides: Partial<PlainRequest> = {}): PlainRequest {
  return { method: "GET", url: "/api", headers: { host: "example.test" }, ip, ...overrides };
}

/** The rate-limit reason of one result; fails the test when that result is missing. */
export function rateLimitReason(results: readonly RuleResult[], index = 0): RateLimitReason {
  const result = results[index];
  if (!result) throw new Error(`expected a result at index ${index}; got ${results.length} results`);
  return result.reason as RateLimitReason;
}

/** A LIVE rule whose every evaluation throws `message` (a bug, or a store that is down). */
export function throwingRule(message = "boom", type = "BROKEN"): Rule {
  return {
    type,
    mode: "LIVE",
    cost: 1,
    evaluate() {
      throw new Error(message);
    },
  };
}
