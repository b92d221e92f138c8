import { rateLimitHeaders } from "./rate-limit-headers.js";
import type { Conclusion, Decision, Reason, RuleResult } from "./types.js";

export type ErrorPolicy = "open" | "closed";

const ALLOWED: Reason = { type: "ALLOWED", message: "No rule denied the request." };

let sequence = 0;
// Random once per process, so ids from several processes sharing a decision log do not collide.
const processTag = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, "0");
/** Sortable, unique within a process, and cheap: decisions are made on the hot path. */
function decisionId(timestamp: number): string {
  sequence = (sequence + 1) % 0x1000000;
  return `${timestamp.toString(36)}${sequence.toString(36).padStart(5, "0")}${processTag}`;
}

export interface DecisionInput {
  readonly results: readonly RuleResult[];
  readonly ip: string;
  readonly timestamp: number;
  readonly durationMs: number;
  readonly onError: ErrorPolicy;
}

/**
 * Folds rule results into a decision: the first LIVE denial wins; otherwise
 * the first error makes the decision ERROR (denied only when failing closed);
 * DRY_RUN denials are reported but never deny.
 */
export function createDecision(input: DecisionInput): Decision {
  let conclusion: Conclusion = "ALLOW";
  let reason = ALLOWED;
  for (const result of input.results) {
    if (result.mode === "LIVE" && result.conclusion === "DENY") {
      conclusion = "DENY";
      reason = result.reason;
      break;
    }
    if (result.conclusion === "ERROR" && conclusion === "ALLOW") {
      conclusion = "ERROR";
      reason = result.reason;
    }
  }
  const denied = conclusion === "DENY" || (conclusion === "ERROR" && input.onError === "closed");
  const status = !denied ? 200 : conclusion === "ERROR" ? 503 : reason.type === "RATE_LIMIT" ? 429 : 403;
  return {
    id: decisionId(input.timestamp),
    conclusion,
    reason,
    results: input.results,
    ip: input.ip,
    headers: rateLimitHeaders(input.results, denied),
    status,
    timestamp: input.timestamp,
    durationMs: input.durationMs,
    isDenied: () => denied,
    isAllowed: () => !denied,
    isErrored: () => conclusion === "ERROR",
  };
}
