/**
 * fixedWindow: at most `max` requests per key in each window of `window`.
 *
 * Semantics (every Store implements exactly this, atomically, per key):
 * - Windows are aligned to the epoch: start = floor(now / windowMs) * windowMs,
 *   so every process and the Redis store agree on the boundary. The count
 *   resets to 0 exactly at start + windowMs.
 * - A call of cost c (1 here) is allowed iff count + c <= limit; only then is
 *   the count increased. A denied call does NOT count, so a client hammering
 *   a closed window does not extend its own lockout.
 * - remaining = limit - count after this call (on a denial: limit - count).
 * - resetMs = start + windowMs - now: when the count returns to 0.
 * - retryAfterMs = resetMs on a denial, 0 when allowed.
 * - A clock that steps back, finding the next window stored, keeps counting
 *   in that window (resetMs = its end - now) rather than forget its count; a
 *   window further ahead (a clock that was wrong by more) starts afresh.
 * - The state may be dropped at start + windowMs (it is then equivalent to none).
 *
 * Bound: up to 2 * max requests can pass within any `window`-long span that
 * straddles a boundary; use slidingWindow when that burst matters.
 */
import type { Rule } from "../types.js";
import { type WindowOptions, windowRule } from "./window-rule.js";

export interface FixedWindowOptions extends WindowOptions {
  /** Requests allowed per window. */
  readonly max: number;
}

export function fixedWindow(options: FixedWindowOptions): Rule {
  return windowRule("fixedWindow", options);
}
