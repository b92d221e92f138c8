import { rateLimitHeaders } from "./rate-limit-headers.js";
import type { Conclusion, Decision, Reason, RuleResult } from "./types.js";

export type ErrorPolicy = "open" | "closed";

const ALLOWED: Reason = { type: "ALLOWED", message: "No rule denied the request." };

let sequence = 0;
// Random once per process, so ids from several processes sharing a decision log do not collide.
const processTag = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, "0");
// Most decisions in a busy process share their millisecond with the previous one:
// the timestamp's base-36 text is formatted once per millisecond, not per decision.
let lastTimestamp = Number.NaN;
let lastTimestampText = "";

/** The decision's place in this process's sequence; its id text is formatted from it when first read. */
function nextSequence(): number {
  sequence = (sequence + 1) % 0x1000000;
  return sequence;
}

/**
 * Sortable, unique within a process: timestamp, sequence number, process tag,
 * all base 36. Exported with `decisionIdParts` so a decision log can build the
 * id text off the request thread (in a worker, whose own process tag differs:
 * hence the `tag` argument) and get exactly what `decision.id` would read.
 */
export function formatDecisionId(timestamp: number, sequenceNumber: number, tag = processTag): string {
  if (timestamp !== lastTimestamp) {
    lastTimestamp = timestamp;
    lastTimestampText = timestamp.toString(36);
  }
  return `${lastTimestampText}${sequenceNumber.toString(36).padStart(5, "0")}${tag}`;
}

/** The process tag ids of this thread's decisions end with (see formatDecisionId). */
export const DECISION_ID_TAG = processTag;

export interface DecisionInput {
  readonly results: readonly RuleResult[];
  readonly ip: string;
  readonly timestamp: number;
  readonly durationMs: number;
  readonly onError: ErrorPolicy;
}

/**
 * One class rather than an object literal with three closures: a decision is
 * made per request, and prototype methods cost nothing to create. The id is
 * numbered when the decision is made but its text is built only when read
 * (most decisions of an app without a decision log never are); `toJSON`
 * keeps it in the serialized form with the other fields.
 */
class ParapetDecision implements Decision {
  readonly #sequence: number;
  #id: string | undefined;
  readonly conclusion: Conclusion;
  readonly reason: Reason;
  readonly results: readonly RuleResult[];
  readonly ip: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly timestamp: number;
  readonly durationMs: number;

  constructor(input: DecisionInput, conclusion: Conclusion, reason: Reason, denied: boolean) {
    this.#sequence = nextSequence();
    this.conclusion = conclusion;
    this.reason = reason;
    this.results = input.results;
    this.ip = input.ip;
    this.headers = rateLimitHeaders(input.results, denied);
    this.status = !denied ? 200 : conclusion === "ERROR" ? 503 : reason.type === "RATE_LIMIT" ? 429 : 403;
    this.timestamp = input.timestamp;
    this.durationMs = input.durationMs;
  }

  get id(): string {
    this.#id ??= formatDecisionId(this.timestamp, this.#sequence);
    return this.#id;
  }

  /** The sequence number of a decision made here, or undefined for any other object (see decisionSequence). */
  static sequenceOf(decision: Decision): number | undefined {
    return #sequence in decision ? decision.#sequence : undefined;
  }

  isDenied(): boolean {
    return this.status !== 200;
  }

  isAllowed(): boolean {
    return this.status === 200;
  }

  isErrored(): boolean {
    return this.conclusion === "ERROR";
  }

  toJSON(): Record<string, unknown> {
    const { id, conclusion, reason, results, ip, headers, status, timestamp, durationMs } = this;
    return { id, conclusion, reason, results, ip, headers, status, timestamp, durationMs };
  }
}

/**
 * The sequence number `decision.id` is formatted from (with its timestamp and
 * DECISION_ID_TAG), for a decision that protect() made; undefined for any other
 * object that looks like a Decision, whose `id` must then be read.
 */
export function decisionSequence(decision: Decision): number | undefined {
  return ParapetDecision.sequenceOf(decision);
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
  return new ParapetDecision(input, conclusion, reason, denied);
}
