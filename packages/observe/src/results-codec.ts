import type { Mode, Reason, RuleResult } from "@parapet/core";
import { ATTACK_FIELDS, ATTACK_TYPE, BOT_TYPE } from "./record.js";

/**
 * How a decision's rule results are stored in the `results` column.
 * (Several rules that all allowed share the compact form: see compactRules.)
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
  return compactResults(results) ?? boundedJson(results);
}

/**
 * Characters of results JSON a row stores. A denial's JSON is a few hundred; a rule whose reason quotes the
 * request (a custom rule, a list of findings) must not make each row as large as the request, or larger.
 */
export const MAX_RESULTS_TEXT = 16_384;
/** Within a bounded row, strings keep this many characters and lists this many items (the rest counted). */
const MAX_STORED_STRING = 1_024;
const MAX_STORED_ITEMS = 50;

/**
 * The results' JSON, or when it is over MAX_RESULTS_TEXT, the same JSON with long strings and lists inside results
 * cut (still results, read back alike), or failing that, what every result has (see `essentials`). Throws what
 * JSON.stringify throws (a cycle, a BigInt): the caller stores the essentials then.
 */
function boundedJson(results: readonly RuleResult[]): string {
  const text = JSON.stringify(results);
  if (text.length <= MAX_RESULTS_TEXT) return text;
  const cut = JSON.stringify(results, cutForStorage);
  if (cut.length <= MAX_RESULTS_TEXT) return cut;
  return JSON.stringify(essentials(results));
}

/** A JSON.stringify replacer: long strings end in "…", long lists in a count of what was left out; results stay whole. */
function cutForStorage(key: string, value: unknown): unknown {
  if (typeof value === "string") return value.length > MAX_STORED_STRING ? `${value.slice(0, MAX_STORED_STRING)}…` : value;
  // The results list itself (key "") is never cut: a reader maps it to one result per rule.
  if (key !== "" && Array.isArray(value) && value.length > MAX_STORED_ITEMS) {
    return [...value.slice(0, MAX_STORED_ITEMS), `… ${value.length - MAX_STORED_ITEMS} more`];
  }
  return value;
}

/** What every result has, its reason reduced to its type and (cut) message: for results JSON cannot write or bound. */
export function essentials(results: readonly RuleResult[]): readonly RuleResult[] {
  return results.map(({ ruleId, ruleType, mode, conclusion, durationMs, reason }) => {
    const { type, message } = (reason ?? {}) as { type?: unknown; message?: unknown };
    const kept = { type: String(type), ...(typeof message === "string" ? { message: cutForStorage("message", message) as string } : {}) };
    return { ruleId, ruleType, mode, conclusion, reason: kept as Reason, durationMs } as RuleResult;
  });
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

/** Between the rules of a compact line that holds several (ASCII record separator: no id, type or key has one). */
const RECORD = "\x1e";
/** More rules than this keep the JSON: the durations of the others travel in fixed slots. */
export const MAX_COMPACT_RULES = 8;

/**
 * Several rules that all allowed (a rate limit and the shield, say) as one
 * compact line: each rule's fields as in the single-rule form, the rules
 * joined by a record separator, the `~` once in front. Undefined when one of
 * them has more to say: a denial or error, a bot rule (its allow names a
 * class), an attack rule whose reason names one, or a value the line cannot
 * hold. The request thread sends the parts that change per decision (the
 * durations as numbers, the keys joined) and the head, which is the same on
 * every request of a rule set and sent as a code; the log worker joins them
 * (`compactRulesLine`): formatting the durations is its work, not the request's.
 */
export function compactRulesHead(results: readonly RuleResult[]): string | undefined {
  if (results.length < 2 || results.length > MAX_COMPACT_RULES) return undefined;
  for (const result of results) {
    if (result.conclusion !== "ALLOW" || result.key === "" || (result.key !== undefined && !fitsLine(result.key))) return undefined;
  }
  const last = lastRulesHead;
  if (last !== undefined && sameRules(last.results, results)) return last.head;
  let head = "";
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    const reason = result.reason as unknown as Record<string, unknown>;
    const reasonType = reason.type;
    if (BOT_TYPE.test(result.ruleType) || typeof reasonType !== "string" || namesAttackClass(result)) return undefined;
    if (!fitsLine(result.ruleId) || !fitsLine(result.ruleType) || !fitsLine(reasonType)) return undefined;
    head += `${i === 0 ? "" : RECORD}${result.ruleId}${SEPARATOR}${result.ruleType}${SEPARATOR}${result.mode}${SEPARATOR}${reasonType}`;
  }
  lastRulesHead = { results, head };
  return head;
}

/**
 * The last rule set's head, kept with the results it was built from: the next decision's results come from the same
 * rules, whose ids, types and modes are the very same strings, and whose allowing reasons say the same. An attack
 * rule's reason is read again each time (a class there means the JSON form).
 */
let lastRulesHead: { results: readonly RuleResult[]; head: string } | undefined;

function sameRules(cached: readonly RuleResult[], results: readonly RuleResult[]): boolean {
  if (cached.length !== results.length) return false;
  for (let i = 0; i < results.length; i++) {
    const a = cached[i]!;
    const b = results[i]!;
    if (a.ruleId !== b.ruleId || a.ruleType !== b.ruleType || a.mode !== b.mode) return false;
    if ((a.reason as unknown as Record<string, unknown>).type !== (b.reason as unknown as Record<string, unknown>).type) return false;
    if (namesAttackClass(b)) return false;
  }
  return true;
}

/** An attack rule whose allowing reason still names a class (record.ts reads it from there): such results keep the JSON. */
function namesAttackClass(result: RuleResult): boolean {
  if (!ATTACK_TYPE.test(result.ruleType)) return false;
  const reason = result.reason as unknown as Record<string, unknown>;
  return ATTACK_FIELDS.some((field) => reason[field] !== undefined);
}

/** The rules' keys joined by the record separator ("" for a rule without one), for compactRulesLine. */
export function compactRulesKeys(results: readonly RuleResult[]): string {
  let keys = results[0]?.key ?? "";
  for (let i = 1; i < results.length; i++) keys += RECORD + (results[i]!.key ?? "");
  return keys;
}

/** The stored value: the head's rules, each with its duration and key (`keys` as compactRulesKeys joins them). */
export function compactRulesLine(head: string, durationOf: (rule: number) => number, keys: string): string {
  const rules = head.split(RECORD);
  const keyList = keys.split(RECORD);
  let line = COMPACT;
  for (let i = 0; i < rules.length; i++) {
    line += `${i === 0 ? "" : RECORD}${rules[i]}${SEPARATOR}${durationOf(i)}${SEPARATOR}${keyList[i] ?? ""}`;
  }
  return line;
}

/** The results as compactRulesLine stores them, or undefined when they need the JSON (for tests and one-off use). */
export function compactRules(results: readonly RuleResult[]): string | undefined {
  const head = compactRulesHead(results);
  return head === undefined ? undefined : compactRulesLine(head, (i) => results[i]!.durationMs, compactRulesKeys(results));
}

/** Each key of compactRulesKeys' string passed through `redact` (credentials to fingerprints); the same string when none changed. */
export function mapRuleKeys(keys: string, redact: (key: string) => string): string {
  const list = keys.split(RECORD);
  let changed = false;
  for (let i = 0; i < list.length; i++) {
    const key = list[i]!;
    const redacted = key === "" ? key : redact(key);
    if (redacted !== key) {
      list[i] = redacted;
      changed = true;
    }
  }
  return changed ? list.join(RECORD) : keys;
}

function fitsLine(value: string): boolean {
  return !value.includes(SEPARATOR) && !value.includes(RECORD);
}

/** Reads either form; a value that is neither (a row written by something else) throws, and the caller reports it. */
export function decodeResults(stored: string): RuleResult[] {
  if (!stored.startsWith(COMPACT)) return JSON.parse(stored) as RuleResult[];
  return stored
    .slice(COMPACT.length)
    .split(RECORD)
    .map((rule) => decodeRule(rule, stored));
}

function decodeRule(rule: string, stored: string): RuleResult {
  const fields = rule.split(SEPARATOR);
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
  return key ? { ...result, key } : result;
}

/** A tab would break the compact line: such values keep the JSON form. */
function isPlain(value: string): boolean {
  return !value.includes(SEPARATOR);
}
