import type { Decision, RuleResult } from "@parapet/core";
import type { CapturedDecision } from "../capture.js";

/**
 * A batch of captured decisions as columns, the cheapest shape to hand to the
 * log worker: the numbers travel in typed arrays whose buffers are
 * transferred (moved, not copied), the strings in flat arrays (structured
 * clone copies a string array far faster than an array of objects), and the
 * rule results as they are (the worker serialises them to JSON, not the
 * request thread).
 */
export interface DecisionColumns {
  count: number;
  readonly ts: Float64Array;
  readonly durations: Float64Array;
  /** Bit 0: denied; bits 1-2: the conclusion (see CONCLUSIONS). */
  readonly flags: Uint8Array;
  readonly ids: string[];
  readonly reasonTypes: string[];
  readonly ips: string[];
  readonly methods: string[];
  readonly paths: string[];
  readonly userAgents: (string | undefined)[];
  /** Only strings and finite numbers survive (the record keeps nothing else), so any app value can cross threads. */
  readonly apiKeys: (string | number | undefined)[];
  readonly userIds: (string | number | undefined)[];
  /** A string is the compact stored form (results-codec.ts), made on the request thread because it clones cheaply. */
  readonly results: (readonly RuleResult[] | string)[];
}

export interface StatusColumns {
  readonly count: number;
  readonly ids: string[];
  readonly statuses: Uint16Array;
  readonly ts: Float64Array;
}

const NO_RESULTS: readonly RuleResult[] = [];
export const CONCLUSIONS: readonly Decision["conclusion"][] = ["ALLOW", "DENY", "ERROR"];

export function createDecisionColumns(capacity: number): DecisionColumns {
  return {
    count: 0,
    ts: new Float64Array(capacity),
    durations: new Float64Array(capacity),
    flags: new Uint8Array(capacity),
    ids: [],
    reasonTypes: [],
    ips: [],
    methods: [],
    paths: [],
    userAgents: [],
    apiKeys: [],
    userIds: [],
    results: [],
  };
}

/** The buffers to list in postMessage's transfer list. */
export function transferablesOf(columns: DecisionColumns | undefined, statuses: StatusColumns | undefined): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  if (columns) list.push(columns.ts.buffer as ArrayBuffer, columns.durations.buffer as ArrayBuffer, columns.flags.buffer as ArrayBuffer);
  if (statuses) list.push(statuses.statuses.buffer as ArrayBuffer, statuses.ts.buffer as ArrayBuffer);
  return list;
}

export function forEachDecision(columns: DecisionColumns, each: (entry: CapturedDecision) => void): void {
  for (let i = 0; i < columns.count; i++) {
    const flags = columns.flags[i]!;
    const results = columns.results[i]!;
    each({
      id: columns.ids[i]!,
      ts: columns.ts[i]!,
      conclusion: CONCLUSIONS[flags >> 1] ?? "ERROR",
      denied: (flags & 1) === 1,
      reasonType: columns.reasonTypes[i]!,
      ip: columns.ips[i]!,
      method: columns.methods[i]!,
      path: columns.paths[i]!,
      userAgent: columns.userAgents[i],
      apiKey: columns.apiKeys[i],
      userId: columns.userIds[i],
      durationMs: columns.durations[i]!,
      results: typeof results === "string" ? NO_RESULTS : results,
      encodedResults: typeof results === "string" ? results : undefined,
    });
  }
}

export function forEachStatus(columns: StatusColumns, each: (id: string, status: number, ts: number) => void): void {
  for (let i = 0; i < columns.count; i++) each(columns.ids[i]!, columns.statuses[i]!, columns.ts[i]!);
}
