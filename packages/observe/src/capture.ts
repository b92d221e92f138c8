import type { Decision, NormalizedRequest, RuleResult } from "@parapet/core";
import { compactHead } from "./results-codec.js";
import {
  CODES_PER_DECISION,
  CONCLUSION_SHIFT,
  CONCLUSIONS,
  type DecisionColumns,
  FLAG_API_KEY_NUMBER,
  FLAG_OBJECT_RESULTS,
  FLAG_USER_ID_NUMBER,
  STRINGS_PER_DECISION,
} from "./worker/columns.js";
import { StringPacker, StringTable } from "./worker/packed-strings.js";

/**
 * The request path's only contact with the decision log: a fixed-size ring of
 * columns. `push` stores a dozen references and numbers into preallocated
 * arrays (no object per decision, no copy of the headers, no closure, nothing
 * hashed or serialized) and returns; everything else — records, detectors,
 * rollups, SQL — happens when the ring is drained in batches off the request
 * path. Holding the request object itself would keep its headers, body buffer
 * and socket alive for as long as the entry waits, so only the fields the log
 * needs are kept (the decision is small and is held until drained). When the
 * ring is full the decision is dropped and counted.
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
  /** The decisions themselves, only so recordStatus can find one by identity; released when drained. */
  readonly #decisions: (Decision | undefined)[];
  readonly #ts: Float64Array;
  readonly #durations: Float64Array;
  readonly #denied: Uint8Array;
  readonly #statuses: Uint16Array;
  readonly #statusTs: Float64Array;
  readonly #methods: string[];
  readonly #paths: string[];
  readonly #userAgents: (string | undefined)[];
  readonly #apiKeys: unknown[];
  readonly #userIds: unknown[];
  #head = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("CaptureRing capacity must be a positive integer");
    this.#capacity = capacity;
    // Filled with same-typed placeholders so each column keeps one element kind.
    this.#decisions = new Array<Decision | undefined>(capacity).fill(undefined);
    this.#ts = new Float64Array(capacity);
    this.#durations = new Float64Array(capacity);
    this.#denied = new Uint8Array(capacity);
    this.#statuses = new Uint16Array(capacity);
    this.#statusTs = new Float64Array(capacity);
    this.#methods = new Array<string>(capacity).fill("");
    this.#paths = new Array<string>(capacity).fill("");
    this.#userAgents = new Array<string | undefined>(capacity).fill(undefined);
    this.#apiKeys = new Array<unknown>(capacity).fill(undefined);
    this.#userIds = new Array<unknown>(capacity).fill(undefined);
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
    // Id, conclusion, reason, IP and results are read from the decision when drained.
    this.#decisions[slot] = decision;
    this.#ts[slot] = decision.timestamp;
    this.#durations[slot] = decision.durationMs;
    this.#denied[slot] = decision.isDenied() ? 1 : 0;
    this.#statuses[slot] = 0;
    this.#methods[slot] = request.method;
    this.#paths[slot] = request.path;
    // header() rather than headers[…]: reading `headers` would normalize every header of every request.
    this.#userAgents[slot] = request.header("user-agent");
    const extra = request.extra;
    this.#apiKeys[slot] = extra.apiKey ?? request.header("x-api-key");
    this.#userIds[slot] = extra.userId;
    return true;
  }

  /**
   * Puts the app's HTTP status on a decision still held here, looking back
   * over the most recent `lookBack` entries (a status usually follows its
   * decision closely). False when it is not found: the caller sends it alone.
   */
  attachStatus(decision: Decision | string, status: number, ts: number, lookBack = 64): boolean {
    const byId = typeof decision === "string";
    const reach = Math.min(lookBack, this.#size);
    let slot = this.#head + this.#size - 1;
    if (slot >= this.#capacity) slot -= this.#capacity;
    for (let i = 0; i < reach; i++) {
      const held = this.#decisions[slot];
      if (held !== undefined && (byId ? held.id === decision : held === decision)) {
        this.#statuses[slot] = status;
        this.#statusTs[slot] = ts;
        return true;
      }
      slot = slot === 0 ? this.#capacity - 1 : slot - 1;
    }
    return false;
  }

  /** Removes up to `max` entries, oldest first, as columns for the log worker. */
  drainColumns(max: number): DecisionColumns {
    const count = Math.min(max, this.#size);
    const ts = new Float64Array(count);
    const durations = new Float64Array(count);
    const ruleDurations = new Float64Array(count);
    const flags = new Uint8Array(count);
    const statuses = new Uint16Array(count);
    const statusTs = new Float64Array(count);
    const strings = new StringPacker(count * STRINGS_PER_DECISION);
    const codes = new Uint32Array(count * CODES_PER_DECISION);
    const table = new StringTable();
    const objectResults: (readonly RuleResult[])[] = [];
    let statusCount = 0;
    for (let i = 0; i < count; i++) {
      const slot = this.#head;
      const decision = this.#decisions[slot] as Decision;
      ts[i] = this.#ts[slot]!;
      durations[i] = this.#durations[slot]!;
      statuses[i] = this.#statuses[slot]!;
      statusTs[i] = this.#statusTs[slot]!;
      if (statuses[i] !== 0) statusCount++;
      let flag = this.#denied[slot]! | (Math.max(0, CONCLUSIONS.indexOf(decision.conclusion)) << CONCLUSION_SHIFT);
      strings.add(decision.id);
      strings.add(decision.ip);
      strings.add(this.#paths[slot]);
      const code = i * CODES_PER_DECISION;
      codes[code] = table.code(this.#methods[slot]);
      codes[code + 1] = table.code(decision.reason.type);
      codes[code + 2] = table.code(this.#userAgents[slot]);
      const apiKey = scalarOrUndefined(this.#apiKeys[slot]);
      if (typeof apiKey === "number") flag |= FLAG_API_KEY_NUMBER;
      strings.add(apiKey === undefined ? undefined : String(apiKey));
      const userId = scalarOrUndefined(this.#userIds[slot]);
      if (typeof userId === "number") flag |= FLAG_USER_ID_NUMBER;
      strings.add(userId === undefined ? undefined : String(userId));
      const results = decision.results;
      const head = compactHead(results);
      codes[code + 3] = table.code(head);
      if (head === undefined) {
        strings.add(undefined);
        flag |= FLAG_OBJECT_RESULTS;
        objectResults.push(results);
      } else {
        strings.add(results[0]!.key ?? "");
        ruleDurations[i] = results[0]!.durationMs;
      }
      flags[i] = flag;
      // Release the references so a drained slot keeps nothing alive.
      this.#decisions[slot] = undefined;
      this.#apiKeys[slot] = undefined;
      this.#userIds[slot] = undefined;
      this.#userAgents[slot] = undefined;
      this.#head = slot + 1 === this.#capacity ? 0 : slot + 1;
      this.#size--;
    }
    return {
      count,
      ts,
      durations,
      ruleDurations,
      flags,
      strings: strings.finish(),
      codes,
      table: table.values,
      objectResults,
      statuses,
      statusTs,
      statusCount,
    };
  }
}

/** Only a string or a finite number becomes a column (the record keeps nothing else), so the batch always clones. */
function scalarOrUndefined(value: unknown): string | number | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : undefined;
}
