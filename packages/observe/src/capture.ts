import { DECISION_ID_TAG, type Decision, decisionSequence, type NormalizedRequest, type RuleResult } from "@parapet/core";
import { compactHead, compactRulesHead, compactRulesKeys, MAX_COMPACT_RULES } from "./results-codec.js";
import {
  CODES_PER_DECISION,
  CONCLUSION_SHIFT,
  CONCLUSIONS,
  type DecisionColumns,
  FLAG_COMPACT_RULES,
  FLAG_DENIED,
  FLAG_ID_FROM_SEQUENCE,
  FLAG_OBJECT_RESULTS,
  STRINGS_PER_DECISION,
} from "./worker/columns.js";
import { StringPacker, StringTable } from "./worker/packed-strings.js";

/** Code units kept per field: the log stores values as cut here (a log row must not grow with the request). */
const MAX_PATH = 1024;
const MAX_USER_AGENT = 512;
const MAX_ID = 128;
/** API keys are fingerprinted, not stored; a longer one is fingerprinted by its first 1,024 units. */
const MAX_API_KEY = 1024;
const MAX_TEXT = 512;
/** The longest joined keys of several compact rules that travel as text; longer ones (long keys) travel as objects. */
const MAX_COMPACT_KEYS = 4096;
/** Slots per decision for the durations of rules after the first (see compactRulesHead). */
const MORE_RULES = MAX_COMPACT_RULES - 1;
/** How far back recordStatus looks for its decision among the latest captured. */
const RECENT = 64;

class CaptureBatch {
  count = 0;
  sent = false;
  readonly ts: Float64Array;
  readonly durations: Float64Array;
  readonly ruleDurations: Float64Array;
  readonly moreRuleDurations: Float64Array;
  readonly flags: Uint8Array;
  readonly statuses: Uint16Array;
  readonly statusTs: Float64Array;
  readonly codes: Uint32Array;
  readonly sequences: Uint32Array;
  readonly strings: StringPacker;
  readonly table = new StringTable();
  readonly objectResults: (readonly RuleResult[])[] = [];

  constructor(readonly size: number) {
    // Every column is a view into one buffer: allocating (and zeroing, and accounting for) a buffer is what costs,
    // not its size, so one per batch instead of eight. Widest elements first keeps each view aligned.
    const buffer = new ArrayBuffer(size * ((4 + MORE_RULES) * 8 + (CODES_PER_DECISION + STRINGS_PER_DECISION + 1) * 4 + 2 + 1));
    let at = 0;
    const take = <T>(View: new (buffer: ArrayBuffer, offset: number, length: number) => T, length: number, bytes: number): T => {
      const view = new View(buffer, at, length);
      at += length * bytes;
      return view;
    };
    this.ts = take(Float64Array, size, 8);
    this.durations = take(Float64Array, size, 8);
    this.ruleDurations = take(Float64Array, size, 8);
    this.statusTs = take(Float64Array, size, 8);
    this.moreRuleDurations = take(Float64Array, size * MORE_RULES, 8);
    this.codes = take(Uint32Array, size * CODES_PER_DECISION, 4);
    this.strings = new StringPacker(size * STRINGS_PER_DECISION, take(Uint32Array, size * STRINGS_PER_DECISION, 4));
    this.sequences = take(Uint32Array, size, 4);
    this.statuses = take(Uint16Array, size, 2);
    this.flags = take(Uint8Array, size, 1);
  }

  columns(): DecisionColumns {
    this.sent = true;
    const n = this.count;
    return {
      count: n,
      ts: this.ts.subarray(0, n),
      durations: this.durations.subarray(0, n),
      ruleDurations: this.ruleDurations.subarray(0, n),
      moreRuleDurations: this.moreRuleDurations.subarray(0, n * MORE_RULES),
      flags: this.flags.subarray(0, n),
      strings: this.strings.finish(),
      sequences: this.sequences.subarray(0, n),
      idTag: DECISION_ID_TAG,
      codes: this.codes.subarray(0, n * CODES_PER_DECISION),
      table: this.table.values,
      objectResults: this.objectResults,
      statuses: this.statuses.subarray(0, n),
      statusTs: this.statusTs.subarray(0, n),
    };
  }
}

/**
 * The request path's only contact with the decision log. `push` copies the
 * few fields the log needs into the current batch's typed arrays (numbers as
 * numbers, repeated names as codes), keeps a reference to each string it
 * needs (joined once per batch, see packed-strings.ts) and returns; it keeps
 * no reference to the request or the decision object (bar the latest 64, for
 * `attachStatus`), so a pending decision costs the garbage collector little. Everything else —
 * detectors, rollups, SQL — happens off the request path when a
 * batch is drained and its buffers are transferred to the log worker. Long
 * values are cut at capture to what the log keeps. When `capacity` decisions
 * are pending, new ones are dropped and counted.
 */
export class CaptureRing {
  readonly #capacity: number;
  readonly #batchSize: number;
  /** Filled batches waiting for the pump, oldest first; the last one is being filled. */
  readonly #batches: CaptureBatch[] = [];
  #size = 0;
  #dropped = 0;
  /** The latest decisions and where they went, so a status can join its decision before it is sent. */
  readonly #recent: (Decision | undefined)[] = new Array<Decision | undefined>(RECENT).fill(undefined);
  readonly #recentBatch: (CaptureBatch | undefined)[] = new Array<CaptureBatch | undefined>(RECENT).fill(undefined);
  readonly #recentIndex = new Int32Array(RECENT);
  #recentNext = 0;

  constructor(capacity: number, batchSize = 500) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("CaptureRing capacity must be a positive integer");
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError("CaptureRing batchSize must be a positive integer");
    this.#capacity = capacity;
    this.#batchSize = Math.min(batchSize, capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Batches holding `batchSize` decisions: all pending batches but the one still filling. */
  get fullBatches(): number {
    const last = this.#batches[this.#batches.length - 1];
    return last === undefined || last.count === last.size ? this.#batches.length : this.#batches.length - 1;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** O(fields); false (and counted) when `capacity` decisions are already pending. */
  push(decision: Decision, request: NormalizedRequest): boolean {
    if (this.#size >= this.#capacity) {
      this.#dropped++;
      return false;
    }
    let batch = this.#batches[this.#batches.length - 1];
    if (batch === undefined || batch.count === batch.size) {
      batch = new CaptureBatch(this.#batchSize);
      this.#batches.push(batch);
    }
    const i = batch.count++;
    this.#size++;
    batch.ts[i] = decision.timestamp;
    batch.durations[i] = decision.durationMs;
    let flag = (decision.isDenied() ? FLAG_DENIED : 0) | (conclusionIndex(decision.conclusion) << CONCLUSION_SHIFT);
    const strings = batch.strings;
    // The id text is built on the log side from the sequence number (formatting it here cost as much as the rest
    // of a field's copy); a decision protect() did not make brings its own.
    const sequence = decisionSequence(decision);
    if (sequence === undefined) strings.add(decision.id, MAX_TEXT);
    else {
      strings.add(undefined, 0);
      batch.sequences[i] = sequence;
      flag |= FLAG_ID_FROM_SEQUENCE;
    }
    strings.add(decision.ip, MAX_TEXT);
    strings.add(request.path, MAX_PATH);
    // header() rather than headers[…]: reading `headers` would normalize every header of every request.
    const extra = request.extra;
    strings.add(textOf(extra.apiKey ?? request.header("x-api-key")), MAX_API_KEY);
    strings.add(textOf(extra.userId), MAX_ID);
    strings.add(request.header("user-agent"), MAX_USER_AGENT);
    const code = i * CODES_PER_DECISION;
    const table = batch.table;
    batch.codes[code] = table.code(request.method);
    batch.codes[code + 1] = table.code(decision.reason.type);
    const results = decision.results;
    const head = compactHead(results);
    batch.codes[code + 2] = table.code(head);
    const rulesHead = head === undefined ? compactRulesHead(results) : undefined;
    const keys = rulesHead === undefined ? undefined : compactRulesKeys(results);
    if (rulesHead !== undefined && keys !== undefined && keys.length <= MAX_COMPACT_KEYS) {
      // Several rules that allowed (a rate limit and the shield): a head code, numbers and the keys, not objects to
      // clone to the log worker; it formats the line (compactRulesLine).
      batch.codes[code + 2] = table.code(rulesHead);
      strings.add(keys, MAX_COMPACT_KEYS);
      batch.ruleDurations[i] = (results[0] as RuleResult).durationMs;
      const more = i * MORE_RULES;
      for (let r = 1; r < results.length; r++) batch.moreRuleDurations[more + r - 1] = (results[r] as RuleResult).durationMs;
      flag |= FLAG_COMPACT_RULES;
    } else if (head === undefined) {
      strings.add(undefined, 0);
      flag |= FLAG_OBJECT_RESULTS;
      batch.objectResults.push(results);
    } else {
      const only = results[0] as RuleResult;
      strings.add(only.key ?? "", MAX_TEXT);
      batch.ruleDurations[i] = only.durationMs;
    }
    batch.flags[i] = flag;
    // A denial's status is the one Parapet's adapters answer with (429, 403, 503), so a denied row is not left without
    // one when the app never calls recordStatus (the adapters answer before the app sees the request); a status the
    // app records later replaces it.
    if (flag & FLAG_DENIED) {
      batch.statuses[i] = decision.status;
      batch.statusTs[i] = decision.timestamp;
    }
    const r = this.#recentNext;
    this.#recent[r] = decision;
    this.#recentBatch[r] = batch;
    this.#recentIndex[r] = i;
    this.#recentNext = r + 1 === RECENT ? 0 : r + 1;
    return true;
  }

  /**
   * Puts the app's HTTP status on one of the latest decisions if it has not
   * been sent yet (a status usually follows its decision closely). False
   * when it is not found: the caller sends the status on its own.
   */
  attachStatus(decision: Decision | string, status: number, ts: number): boolean {
    const byId = typeof decision === "string";
    let r = this.#recentNext;
    for (let n = 0; n < RECENT; n++) {
      r = r === 0 ? RECENT - 1 : r - 1;
      const held = this.#recent[r];
      if (held === undefined) return false;
      if (byId ? held.id !== decision : held !== decision) continue;
      const batch = this.#recentBatch[r] as CaptureBatch;
      if (batch.sent) return false;
      const i = this.#recentIndex[r] as number;
      batch.statuses[i] = status;
      batch.statusTs[i] = ts;
      return true;
    }
    return false;
  }

  /** The oldest pending batch (at most `batchSize` decisions) as columns for the log worker, or an empty one. */
  drainColumns(): DecisionColumns {
    const batch = this.#batches.shift();
    if (batch === undefined) return new CaptureBatch(0).columns();
    this.#size -= batch.count;
    return batch.columns();
  }
}

function conclusionIndex(conclusion: Decision["conclusion"]): number {
  const index = CONCLUSIONS.indexOf(conclusion);
  return index === -1 ? 2 : index;
}

/** Only a string or a finite number becomes a column (the log keeps nothing else), a number as its text. */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}
