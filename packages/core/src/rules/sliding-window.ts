/**
 * slidingWindow: about `max` requests per key in any `window`-long span,
 * estimated from two fixed windows (the approach Cloudflare describes): O(1)
 * state per key, no per-request log, so memory cannot grow with traffic.
 *
 * Semantics (every Store implements exactly this, atomically, per key):
 * - Windows are aligned to the epoch: start = floor(now / windowMs) * windowMs,
 *   elapsed = now - start. The store keeps the current window's count and
 *   the previous window's count (0 if the previous window saw no call).
 * - estimate = previous * (windowMs - elapsed) / windowMs + current.
 * - A call of cost c (1 here) is allowed iff estimate + c <= limit; only then
 *   is `current` increased. A denied call does NOT count.
 * - remaining = max(0, floor(limit - estimate - c)) when allowed,
 *   max(0, floor(limit - estimate)) when denied.
 * - resetMs = windowMs - elapsed: when the previous window's weight reaches 0.
 * - retryAfterMs (denial only) = the first time the estimate, with nothing more
 *   counted, leaves room for c: with room = limit - c - current,
 *   if room >= 0: ceil(windowMs - elapsed - room * windowMs / previous);
 *   else: windowMs - elapsed + max(0, ceil(windowMs - (limit - c) * windowMs / current));
 *   at least 1.
 * - A clock that steps back, finding the next window stored, stays in that
 *   window with elapsed = 0 (both counts weigh in full) rather than forget
 *   them; a window further ahead (a clock that was wrong by more) starts afresh.
 * - The state may be dropped at start + 2 * windowMs.
 *
 * Error bound (tested in test/sliding-window.test.ts): the estimate is exact
 * when the previous window's calls were spread evenly. At worst, when a
 * client puts all of one window's calls at its very end, fewer than
 * 2 * max calls can pass within one `window`-long span (the same worst case
 * as a fixed window, but it needs that precise timing, and each fixed window
 * still admits at most max). It can also deny early when the previous
 * window's calls came early: it never admits more than max minus the
 * previous window's weighted count.
 */
import type { Rule } from "../types.js";
import { type WindowOptions, windowRule } from "./window-rule.js";

export interface SlidingWindowOptions extends WindowOptions {
  /** Requests allowed in any window-long span. */
  readonly max: number;
}

export function slidingWindow(options: SlidingWindowOptions): Rule {
  return windowRule("slidingWindow", options);
}
