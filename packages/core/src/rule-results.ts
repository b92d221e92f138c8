import { codeOf, ErrorCodes, messageOf, ParapetError } from "./errors.js";
import type { ErrorReason, Mode, Reason, Rule, RuleEvaluation, RuleResult } from "./types.js";

/** What a rule's result repeats on every request, worked out once per client. */
export interface PreparedRule {
  readonly rule: Rule;
  readonly ruleId: string;
  readonly mode: Mode;
}

export function ruleResult({ rule, ruleId, mode }: PreparedRule, evaluation: RuleEvaluation, durationMs: number): RuleResult {
  // Two literals rather than a spread: this runs on every request.
  return evaluation.key !== undefined
    ? { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, key: evaluation.key, durationMs }
    : { ruleId, ruleType: rule.type, mode, conclusion: evaluation.conclusion, reason: evaluation.reason, durationMs };
}

export function failedResult({ rule, ruleId, mode }: PreparedRule, error: unknown, durationMs: number): RuleResult {
  // A characteristic the client could reshape (an array where a user name was expected) is a denial, not an
  // error: an error fails open by default, which let the client switch the limit off.
  if (error instanceof ParapetError && error.code === ErrorCodes.CHARACTERISTIC_INVALID) {
    const reason: Reason = { type: INVALID_CHARACTERISTIC, message: error.message };
    return { ruleId, ruleType: rule.type, mode, conclusion: "DENY", reason, durationMs };
  }
  return errorResult(ruleId, mode, codeOf(error), error, durationMs, rule.type);
}

/** The reason type of a denial for an unusable characteristic value; answered with 403. */
const INVALID_CHARACTERISTIC = "INVALID_CHARACTERISTIC";

export function errorResult(ruleId: string, mode: Mode, code: string, error: unknown, durationMs: number, ruleType = ruleId): RuleResult {
  const reason: ErrorReason = { type: "ERROR", code, message: `${ruleId} failed: ${messageOf(error)}` };
  return { ruleId, ruleType, mode, conclusion: "ERROR", reason, durationMs };
}
