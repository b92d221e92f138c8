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

/** The compact line, or undefined when the results need the JSON. */
export function compactResults(results: readonly RuleResult[]): string | undefined {
  const head = compactHead(results);
  return head === undefined ? undefined : compactLine(head, results[0]!.durationMs, results[0]!.key ?? "");
}

/**
 * The compact line up to the duration, or undefined when the results need the
 * JSON. The request thread hands the log worker this head, the key and the
 * duration (as a number) and the worker joins them with `compactLine`:
 * formatting a float is costly, and one rule's head is the same on every
 * request, so the last one is kept and reused. Bot and attack rules keep
 * their objects, because the record reads their class from the reason.
 */
export function compactHead(results: readonly RuleResult[]): string | undefined {
  if (results.length !== 1) return undefined;
  const only = results[0]!;
  if (only.conclusion !== "ALLOW" || only.key === "") return undefined;
  if (only.key !== undefined && !isPlain(only.key)) return undefined;
  const reasonType = (only.reason as { type?: unknown }).type;
  const last = lastHead;
  if (last && last.ruleId === only.ruleId && last.ruleType === only.ruleType && last.mode === only.mode && last.reasonType === reasonType) {
    return last.head;
  }
  if (!isPlain(only.ruleId) || !isPlain(only.ruleType) || CLASSIFIED_TYPE.test(only.ruleType)) return undefined;
  if (typeof reasonType !== "string" || !isPlain(reasonType)) return undefined;
  const head = `${COMPACT}${only.ruleId}${SEPARATOR}${only.ruleType}${SEPARATOR}${only.mode}${SEPARATOR}${reasonType}${SEPARATOR}`;
  lastHead = { ruleId: only.ruleId, ruleType: only.ruleType, mode: only.mode, reasonType, head };
  return head;
}

let lastHead: { ruleId: string; ruleType: string; mode: string; reasonType: string; head: string } | undefined;

export function compactLine(head: string, durationMs: number, key: string): string {
  return `${head}${durationMs}${SEPARATOR}${key}`;
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
