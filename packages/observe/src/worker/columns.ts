import type { Decision, RuleResult } from "@parapet/core";
import type { CapturedDecision } from "../capture.js";
import { compactLine } from "../results-codec.js";
import { type PackedStrings, StringReader, tableValue } from "./packed-strings.js";

/**
 * A batch of captured decisions as columns, the cheapest shape to hand to the
 * log worker: numbers in typed arrays, strings joined into one with their
 * lengths in another array (packed-strings.ts), repeated names as codes into
 * a small table. The buffers are transferred (moved, not copied), the joined
 * string copied in one piece. Only rule results that have no compact form
 * (results-codec.ts: denials, errors, several rules) travel as objects.
 */
export interface DecisionColumns {
  count: number;
  readonly ts: Float64Array;
  readonly durations: Float64Array;
  /** The one rule's duration, for results in the compact form (joined with its head and key by the worker). */
  readonly ruleDurations: Float64Array;
  /** See FLAG_*: denied, the conclusion, which values were numbers, whether the results are objects. */
  readonly flags: Uint8Array;
  /** STRINGS_PER_DECISION values per decision, in the order of `forEachDecision`'s reads. */
  readonly strings: PackedStrings;
  /** CODES_PER_DECISION codes per decision into `table` (method, reason type, compact results head). */
  readonly codes: Uint32Array;
  readonly table: string[];
  /** The results of the decisions flagged FLAG_OBJECT_RESULTS, in order. */
  readonly objectResults: (readonly RuleResult[])[];
  /** The HTTP status the app reported while the decision was still captured; 0 when none yet. */
  readonly statuses: Uint16Array;
  readonly statusTs: Float64Array;
  /** How many decisions carry a status (they count as entries, as a separate status would). */
  readonly statusCount: number;
}

export interface StatusColumns {
  readonly count: number;
  readonly ids: PackedStrings;
  readonly statuses: Uint16Array;
  readonly ts: Float64Array;
}

export const CONCLUSIONS: readonly Decision["conclusion"][] = ["ALLOW", "DENY", "ERROR"];
export const FLAG_DENIED = 1;
/** Bits 1-2: the index of the conclusion in CONCLUSIONS. */
export const CONCLUSION_SHIFT = 1;
export const FLAG_API_KEY_NUMBER = 1 << 3;
export const FLAG_USER_ID_NUMBER = 1 << 4;
export const FLAG_OBJECT_RESULTS = 1 << 5;
/** id, ip, path, apiKey, userId, user agent, compact results key. */
export const STRINGS_PER_DECISION = 7;
export const CODES_PER_DECISION = 3;

const NO_RESULTS: readonly RuleResult[] = [];

/** The buffers to list in postMessage's transfer list (each once: a buffer listed twice makes postMessage throw). */
export function transferablesOf(columns: DecisionColumns | undefined, statuses: StatusColumns | undefined): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  if (columns) {
    arrays.push(columns.ts, columns.durations, columns.ruleDurations, columns.flags, columns.codes, columns.statuses, columns.statusTs);
    arrays.push(columns.strings.lengths);
  }
  if (statuses) arrays.push(statuses.statuses, statuses.ts, statuses.ids.lengths);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

/** Entries a batch counts for in queue stats: decisions, and statuses whether carried on a decision or alone. */
export function entriesOf(columns: DecisionColumns | undefined, statuses: StatusColumns | undefined): number {
  return (columns?.count ?? 0) + (columns?.statusCount ?? 0) + (statuses?.count ?? 0);
}

/** Calls `each` with every decision of the batch, in order, with the status that rode along with it if any. */
export function forEachDecision(columns: DecisionColumns, each: (entry: CapturedDecision) => void): void {
  const strings = new StringReader(columns.strings);
  let objectIndex = 0;
  for (let i = 0; i < columns.count; i++) {
    const flags = columns.flags[i]!;
    // Values a detector may keep are read as strings of their own; the rest as slices of the batch (see StringReader).
    const id = strings.nextShared() ?? "";
    const ip = strings.next() ?? "";
    const path = strings.next() ?? "";
    const apiKey = strings.next();
    const userId = strings.next();
    const userAgent = strings.nextShared();
    const resultsKey = strings.nextShared();
    const code = i * CODES_PER_DECISION;
    const method = tableValue(columns.table, columns.codes[code]!) ?? "";
    const reasonType = tableValue(columns.table, columns.codes[code + 1]!) ?? "";
    const resultsHead = tableValue(columns.table, columns.codes[code + 2]!);
    const objects = (flags & FLAG_OBJECT_RESULTS) !== 0 ? (columns.objectResults[objectIndex++] ?? NO_RESULTS) : NO_RESULTS;
    const status = columns.statuses[i]!;
    each({
      id,
      ts: columns.ts[i]!,
      conclusion: CONCLUSIONS[(flags >> CONCLUSION_SHIFT) & 3] ?? "ERROR",
      denied: (flags & FLAG_DENIED) === FLAG_DENIED,
      reasonType,
      ip,
      method,
      path,
      userAgent,
      apiKey: apiKey !== undefined && (flags & FLAG_API_KEY_NUMBER) !== 0 ? Number(apiKey) : apiKey,
      userId: userId !== undefined && (flags & FLAG_USER_ID_NUMBER) !== 0 ? Number(userId) : userId,
      durationMs: columns.durations[i]!,
      results: objects,
      encodedResults: resultsHead === undefined ? undefined : compactLine(resultsHead, columns.ruleDurations[i]!, resultsKey ?? ""),
      status: status === 0 ? undefined : status,
      statusTs: columns.statusTs[i]!,
    });
  }
}

export function forEachStatus(columns: StatusColumns, each: (id: string, status: number, ts: number) => void): void {
  const ids = new StringReader(columns.ids);
  for (let i = 0; i < columns.count; i++) each(ids.next() ?? "", columns.statuses[i]!, columns.ts[i]!);
}
