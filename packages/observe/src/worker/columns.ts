import type { Decision, RuleResult } from "@parapet/core";
import { type PackedStrings, StringReader } from "./packed-strings.js";

/**
 * A batch of captured decisions as columns, the cheapest shape to hand to the
 * log worker: numbers in typed arrays, strings joined into one with their
 * lengths in another array (packed-strings.ts), repeated names as codes into
 * a small table. The buffers are transferred (moved, not copied), the joined
 * string copied in one piece. Only rule results that have no compact form
 * (results-codec.ts: denials, errors, several rules) travel as objects.
 * The log side reads them with decision-batch.ts.
 */
export interface DecisionColumns {
  count: number;
  readonly ts: Float64Array;
  readonly durations: Float64Array;
  /** The one rule's duration, for results in the compact form (joined with its head and key by the worker). */
  readonly ruleDurations: Float64Array;
  /** For several compact rules (FLAG_COMPACT_RULES), the durations of the rules after the first: MAX_COMPACT_RULES - 1 slots per decision. */
  readonly moreRuleDurations: Float64Array;
  /** See FLAG_*: denied, the conclusion, whether the results are objects. */
  readonly flags: Uint8Array;
  /** STRINGS_PER_DECISION values per decision, in the order of STRINGS_PER_DECISION's list. */
  readonly strings: PackedStrings;
  /**
   * For decisions flagged FLAG_ID_FROM_SEQUENCE (every decision protect() made), the sequence number their id is
   * formatted from, with their timestamp and `idTag` (core's formatDecisionId): the id text is built on the log
   * side, not on the request thread. Other decisions carry their id in `strings`.
   */
  readonly sequences: Uint32Array;
  /** The request thread's DECISION_ID_TAG. */
  readonly idTag: string;
  /** CODES_PER_DECISION codes per decision into `table` (method, reason type, compact results head). */
  readonly codes: Uint32Array;
  readonly table: string[];
  /** The results of the decisions flagged FLAG_OBJECT_RESULTS, in order. */
  readonly objectResults: (readonly RuleResult[])[];
  /** The HTTP status the app reported while the decision was still captured; 0 when none yet. */
  readonly statuses: Uint16Array;
  readonly statusTs: Float64Array;
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
export const FLAG_OBJECT_RESULTS = 1 << 3;
/** The id is formatted from `sequences` (see DecisionColumns.sequences); its slot in `strings` is empty. */
export const FLAG_ID_FROM_SEQUENCE = 1 << 4;
/**
 * Several allowing rules in the compact form (results-codec.ts compactRulesHead): the head as the third code, the
 * keys joined in the results key's slot of `strings`, the durations in ruleDurations and moreRuleDurations.
 */
export const FLAG_COMPACT_RULES = 1 << 5;
/**
 * id, ip, path, apiKey, userId, user agent, compact results key. An API key or user id given as a number
 * travels as its text, which is also what the log stores (String(n) reads back as the same number).
 */
export const STRINGS_PER_DECISION = 7;
export const CODES_PER_DECISION = 3;

/**
 * The typed columns a DecisionBatch keeps for its rows (statuses aside, which it copies): one list, so a column added
 * to DecisionColumns is transferred and kept alike.
 */
export function rowColumnsOf(columns: DecisionColumns): (Float64Array | Uint32Array | Uint8Array)[] {
  return [
    columns.ts,
    columns.durations,
    columns.ruleDurations,
    columns.moreRuleDurations,
    columns.flags,
    columns.codes,
    columns.strings.lengths,
    columns.sequences,
  ];
}

/** The buffers to list in postMessage's transfer list (each once: a buffer listed twice makes postMessage throw). */
export function transferablesOf(columns: DecisionColumns | undefined, statuses: StatusColumns | undefined): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  if (columns) arrays.push(...rowColumnsOf(columns), columns.statuses, columns.statusTs);
  if (statuses) arrays.push(statuses.statuses, statuses.ts, statuses.ids.lengths);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

/**
 * Entries a batch counts for in queue stats: decisions and separate statuses. A status that rode along with
 * its decision is part of the decision's row, as is a separate one that joins a row not yet written (the log
 * worker reports those as `joined`): neither is ever an entry of its own.
 */
export function entriesOf(columns: DecisionColumns | undefined, statuses: StatusColumns | undefined): number {
  return (columns?.count ?? 0) + (statuses?.count ?? 0);
}

export function forEachStatus(columns: StatusColumns, each: (id: string, status: number, ts: number) => void): void {
  const ids = new StringReader(columns.ids);
  for (let i = 0; i < columns.count; i++) each(ids.next() ?? "", columns.statuses[i]!, columns.ts[i]!);
}
