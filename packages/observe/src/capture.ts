import type { Decision, NormalizedRequest, RuleResult } from "@parapet/core";
import { compactResults } from "./results-codec.js";
import { CONCLUSIONS, createDecisionColumns, type DecisionColumns } from "./worker/columns.js";

/**
 * The request path's only contact with the decision log: a fixed-size ring of
 * columns. `push` stores a dozen references and numbers into preallocated
 * arrays (no object per decision, no copy of the headers, no closure, nothing
 * hashed or serialized) and returns; everything else — records, detectors,
 * rollups, SQL — happens when the ring is drained in batches off the request
 * path. Holding the request object itself would keep its headers, body buffer
 * and socket alive for as long as the entry waits, so only the fields the log
 * needs are kept. When the ring is full the decision is dropped and counted.
 */
export interface CapturedDecision {
  readonly id: string;
  readonly ts: number;
  readonly conclusion: Decision["conclusion"];
  readonly denied: boolean;
  readonly reasonType: string;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | undefined;
  /** The raw key (fingerprinted when drained, never stored as is). */
  readonly apiKey: unknown;
  readonly userId: unknown;
  readonly durationMs: number;
  readonly results: readonly RuleResult[];
  /** The results already in their stored form (see results-codec.ts); `results` is then empty. */
  readonly encodedResults?: string | undefined;
}

export class CaptureRing {
  readonly #capacity: number;
  readonly #ids: string[];
  readonly #ts: Float64Array;
  readonly #durations: Float64Array;
  readonly #flags: Uint8Array;
  readonly #conclusions: Decision["conclusion"][];
  readonly #reasonTypes: string[];
  readonly #ips: string[];
  readonly #methods: string[];
  readonly #paths: string[];
  readonly #userAgents: (string | undefined)[];
  readonly #apiKeys: unknown[];
  readonly #userIds: unknown[];
  readonly #results: (readonly RuleResult[])[];
  #head = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("CaptureRing capacity must be a positive integer");
    this.#capacity = capacity;
    // Filled with same-typed placeholders so each column keeps one element kind.
    this.#ids = new Array<string>(capacity).fill("");
    this.#ts = new Float64Array(capacity);
    this.#durations = new Float64Array(capacity);
    this.#flags = new Uint8Array(capacity);
    this.#conclusions = new Array<Decision["conclusion"]>(capacity).fill("ALLOW");
    this.#reasonTypes = new Array<string>(capacity).fill("");
    this.#ips = new Array<string>(capacity).fill("");
    this.#methods = new Array<string>(capacity).fill("");
    this.#paths = new Array<string>(capacity).fill("");
    this.#userAgents = new Array<string | undefined>(capacity).fill(undefined);
    this.#apiKeys = new Array<unknown>(capacity).fill(undefined);
    this.#userIds = new Array<unknown>(capacity).fill(undefined);
    this.#results = new Array<readonly RuleResult[]>(capacity).fill([]);
  }

  get size(): number {
    return this.#size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** O(1); false (and counted) when the ring is full. */
  push(decision: Decision, request: NormalizedRequest): boolean {
    if (this.#size === this.#capacity) {
      this.#dropped++;
      return false;
    }
    let slot = this.#head + this.#size;
    if (slot >= this.#capacity) slot -= this.#capacity;
    this.#size++;
    this.#ids[slot] = decision.id;
    this.#ts[slot] = decision.timestamp;
    this.#durations[slot] = decision.durationMs;
    this.#flags[slot] = decision.isDenied() ? 1 : 0;
    this.#conclusions[slot] = decision.conclusion;
    this.#reasonTypes[slot] = decision.reason.type;
    this.#ips[slot] = decision.ip;
    this.#methods[slot] = request.method;
    this.#paths[slot] = request.path;
    const headers = request.headers;
    this.#userAgents[slot] = headers["user-agent"];
    const extra = request.extra;
    this.#apiKeys[slot] = extra.apiKey ?? headers["x-api-key"];
    this.#userIds[slot] = extra.userId;
    this.#results[slot] = decision.results;
    return true;
  }

  /** Removes up to `max` entries, oldest first, as columns for the log worker. */
  drainColumns(max: number): DecisionColumns {
    const count = Math.min(max, this.#size);
    const columns = createDecisionColumns(count);
    for (let i = 0; i < count; i++) {
      const slot = this.#head;
      columns.ts[i] = this.#ts[slot]!;
      columns.durations[i] = this.#durations[slot]!;
      columns.flags[i] = this.#flags[slot]! | (CONCLUSIONS.indexOf(this.#conclusions[slot]!) << 1);
      columns.ids.push(this.#ids[slot]!);
      columns.reasonTypes.push(this.#reasonTypes[slot]!);
      columns.ips.push(this.#ips[slot]!);
      columns.methods.push(this.#methods[slot]!);
      columns.paths.push(this.#paths[slot]!);
      columns.userAgents.push(this.#userAgents[slot]);
      columns.apiKeys.push(scalarOrUndefined(this.#apiKeys[slot]));
      columns.userIds.push(scalarOrUndefined(this.#userIds[slot]));
      const results = this.#results[slot]!;
      columns.results.push(compactResults(results) ?? results);
      this.#apiKeys[slot] = undefined;
      this.#userIds[slot] = undefined;
      this.#userAgents[slot] = undefined;
      this.#results[slot] = EMPTY;
      this.#head = slot + 1 === this.#capacity ? 0 : slot + 1;
      this.#size--;
    }
    columns.count = count;
    return columns;
  }

  /** Removes up to `max` entries, oldest first, and hands each to `each`. */
  drain(max: number, each: (entry: CapturedDecision) => void): number {
    const count = Math.min(max, this.#size);
    for (let i = 0; i < count; i++) {
      const slot = this.#head;
      each({
        id: this.#ids[slot]!,
        ts: this.#ts[slot]!,
        conclusion: this.#conclusions[slot]!,
        denied: this.#flags[slot] === 1,
        reasonType: this.#reasonTypes[slot]!,
        ip: this.#ips[slot]!,
        method: this.#methods[slot]!,
        path: this.#paths[slot]!,
        userAgent: this.#userAgents[slot],
        apiKey: this.#apiKeys[slot],
        userId: this.#userIds[slot],
        durationMs: this.#durations[slot]!,
        results: this.#results[slot]!,
      });
      // Release the references so a drained slot keeps nothing alive.
      this.#apiKeys[slot] = undefined;
      this.#userIds[slot] = undefined;
      this.#userAgents[slot] = undefined;
      this.#results[slot] = EMPTY;
      this.#head = slot + 1 === this.#capacity ? 0 : slot + 1;
      this.#size--;
    }
    return count;
  }
}

const EMPTY: readonly RuleResult[] = [];

/** Only a string or a finite number becomes a column (the record keeps nothing else), so the batch always clones. */
function scalarOrUndefined(value: unknown): string | number | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : undefined;
}
