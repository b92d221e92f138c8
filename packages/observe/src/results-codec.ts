import type { Mode, Reason, RuleResult } from "@parapet/core";

/**
 * How a decision's rule results are stored in the `results` column.
 *
 * Most decisions are a single rule that allowed: its full JSON (reason
 * details, counters) tells an investigator nothing the other columns do not,
 * yet serialising and storing it was the log worker's largest cost per row.
 * Those rows keep a compact line instead, `~ruleId TAB ruleType TAB mode TAB
 * reasonType TAB durationMs TAB key`, which `decodeResults` expands back into one
 * RuleResult (its reason reduced to `{ type }`; the rule's key, such as the
 * rate-limit bucket, kept as a last field). Everything with more to say (a
 * denial, an error, several rules, a bot or attack rule) keeps the exact JSON.
 * JSON arrays start with `[`, so the two forms never collide.
 */
const COMPACT = "~";
const SEPARATOR = "\t";
/** The rule types record.ts reads a bot or attack class from (kept in step with BOT_TYPE and ATTACK_TYPE there). */
const CLASSIFIED_TYPE = /BOT|SHIELD|ATTACK|WAF/i;

export function encodeResults(results: readonly RuleResult[]): string {
  return compactResults(results) ?? JSON.stringify(results);
}

/**
 * The compact line, or undefined when the results need the JSON. Also run on the request thread when a batch
 * is handed to the log worker: one short string clones far faster than an array of objects. Bot and attack
 * rules keep their objects, because the record reads their class from the reason.
 */
export function compactResults(results: readonly RuleResult[]): string | undefined {
  if (results.length !== 1) return undefined;
  const only = results[0]!;
  if (only.conclusion !== "ALLOW" || only.key === "" || !isPlain(only.ruleId) || !isPlain(only.ruleType)) return undefined;
  if (only.key !== undefined && !isPlain(only.key)) return undefined;
  if (CLASSIFIED_TYPE.test(only.ruleType)) return undefined;
  const reasonType = (only.reason as { type?: unknown }).type;
  if (typeof reasonType !== "string" || !isPlain(reasonType)) return undefined;
  return `${COMPACT}${only.ruleId}${SEPARATOR}${only.ruleType}${SEPARATOR}${only.mode}${SEPARATOR}${reasonType}${SEPARATOR}${only.durationMs}${SEPARATOR}${only.key ?? ""}`;
}

/** Reads either form; a value that is neither (a row written by something else) throws, and the caller reports it. */
export function decodeResults(stored: string): RuleResult[] {
  if (!stored.startsWith(COMPACT)) return JSON.parse(stored) as RuleResult[];
  const fields = stored.slice(COMPACT.length).split(SEPARATOR);
  const [ruleId, ruleType, mode, reasonType, durationMs, key] = fields;
  if (
    fields.length !== 6 ||
    ruleId === undefined ||
    ruleType === undefined ||
    mode === undefined ||
    reasonType === undefined ||
    durationMs === undefined
  ) {
    throw new Error(`a compact results value has ${fields.length} fields, expected 6: ${stored.slice(0, 80)}`);
  }
  const result: RuleResult = {
    ruleId,
    ruleType,
    mode: mode as Mode,
    conclusion: "ALLOW",
    reason: { type: reasonType } as Reason,
    durationMs: Number(durationMs),
  };
  return [key ? { ...result, key } : result];
}

/** A tab would break the compact line: such values keep the JSON form. */
function isPlain(value: string): boolean {
  return !value.includes(SEPARATOR);
}
