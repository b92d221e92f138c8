import { type Decision, formatDecisionId, type RuleResult } from "@parapet/core";
import { cachedFingerprint, classesOf, NO_CLASSES, type ResultClasses } from "./record.js";
import { compactLine, compactRulesLine, encodeResults, essentials, MAX_COMPACT_RULES, mapRuleKeys } from "./results-codec.js";
import { mayHoldSecret, redactKey, redactResultKeys } from "./secret-keys.js";
import type { BoundedMap } from "./sketch/bounded-map.js";
import {
  CODES_PER_DECISION,
  CONCLUSION_SHIFT,
  CONCLUSIONS,
  type DecisionColumns,
  FLAG_COMPACT_RULES,
  FLAG_DENIED,
  FLAG_ID_FROM_SEQUENCE,
  FLAG_OBJECT_RESULTS,
  rowColumnsOf,
} from "./worker/columns.js";
import { type PackedStrings, StringReader, tableValue } from "./worker/packed-strings.js";

/**
 * A batch of captured decisions on the log side (the log worker, or the
 * pipeline on the request thread), kept in the columns it arrived in until
 * its rows are written.
 *
 * Rows wait in the write queue for up to a few hundred milliseconds, longer
 * when the database falls behind. Held as objects (a record, its strings,
 * its queue entry) every waiting row was several objects that each young
 * collection copied, and the garbage collector was the largest cost of the
 * log worker after SQLite itself. Held as columns, a waiting batch is a few
 * typed arrays and one string; its rows are read twice, each time into one
 * object refilled for every row: once on arrival for the detectors
 * (`receive`), once when the INSERT is built (`forEachStored`). Only what
 * cannot be read from the columns is kept per row: API key fingerprints,
 * and for results that travel as objects their stored form and classes.
 */
export class DecisionBatch {
  readonly count: number;
  readonly statuses: BatchStatuses;
  readonly #ts: Float64Array;
  readonly #durations: Float64Array;
  readonly #ruleDurations: Float64Array;
  readonly #moreRuleDurations: Float64Array;
  readonly #flags: Uint8Array;
  readonly #strings: PackedStrings;
  readonly #sequences: Uint32Array;
  readonly #idTag: string;
  readonly #codes: Uint32Array;
  readonly #table: readonly string[];
  /** Fingerprints by row, once a row of the batch has an API key. */
  #apiKeys: (string | null)[] | undefined;
  /** Compact results keys with a credential fingerprinted, by row; undefined where the key had none. */
  #redactedKeys: (string | undefined)[] | undefined;
  /** For the rows whose results travel as objects, in order: their stored form and classes (the objects are let go). */
  readonly #objectRows: ObjectRow[] = [];

  private constructor(columns: DecisionColumns) {
    this.count = columns.count;
    // The capture ring's columns share one buffer sized for a full batch. A batch far smaller than that (a quiet
    // pump) keeps copies instead, so a queue of small batches costs memory by its rows, not by its batches.
    const used = rowColumnsOf(columns).reduce((bytes, view) => bytes + view.byteLength, 0);
    const copy = 2 * used < columns.ts.buffer.byteLength;
    const keep = <T extends Float64Array | Uint32Array | Uint8Array>(view: T): T => (copy ? (view.slice() as T) : view);
    this.#ts = keep(columns.ts);
    this.#durations = keep(columns.durations);
    this.#ruleDurations = keep(columns.ruleDurations);
    this.#moreRuleDurations = keep(columns.moreRuleDurations);
    this.#flags = keep(columns.flags);
    this.#strings = { text: columns.strings.text, lengths: keep(columns.strings.lengths) };
    this.#codes = keep(columns.codes);
    this.#sequences = keep(columns.sequences);
    this.#idTag = columns.idTag;
    this.#table = columns.table;
    // A copy of its own: decisions waiting for their status keep it, and the columns' buffer is sized for a full batch.
    this.statuses = new BatchStatuses(columns.statuses.slice());
  }

  /**
   * Takes a batch in: derives what the columns cannot give back later and hands
   * every row to `each` as an ArrivingDecision (one object, refilled: do not keep it).
   */
  static receive(
    columns: DecisionColumns,
    fingerprints: BoundedMap<string, string>,
    each: (row: ArrivingDecision, batch: DecisionBatch) => void,
  ): DecisionBatch {
    const batch = new DecisionBatch(columns);
    const strings = new StringReader(columns.strings);
    const row = new ArrivingDecision();
    let objectIndex = 0;
    for (let i = 0; i < batch.count; i++) {
      const flags = batch.#flags[i]!;
      const status = batch.statuses.byRow[i]!;
      row.index = i;
      // Whole milliseconds, as stored (see forEachStored): a finding's time becomes an alert row's BIGINT too.
      row.ts = Math.floor(batch.#ts[i]!);
      row.conclusion = conclusionOf(flags);
      row.denied = (flags & FLAG_DENIED) !== 0;
      row.status = status;
      row.statusTs = columns.statusTs[i]!;
      // The id is only needed to join a status that has not arrived yet; it is then kept, so a string of its own.
      if (status !== 0) {
        row.id = "";
        strings.skip();
      } else {
        const text = strings.next();
        row.id = batch.#idAt(i, flags, text);
      }
      // Detectors may keep these: strings of their own (see packed-strings.ts).
      row.ip = strings.next() ?? "";
      row.path = strings.next() ?? "";
      const apiKey = strings.nextShared();
      row.apiKey = apiKey === undefined || apiKey === "" ? null : cachedFingerprint(apiKey, fingerprints);
      if (row.apiKey !== null) {
        batch.#apiKeys ??= new Array<string | null>(batch.count).fill(null);
        batch.#apiKeys[i] = row.apiKey;
      }
      row.userId = nonEmpty(strings.next());
      // A slice of the batch: the campaign detector copies the few it keeps as evidence (attack-campaign.ts).
      row.userAgent = nonEmpty(strings.nextShared());
      // A key that counts by a credential is stored with the credential's fingerprint (secret-keys.ts).
      const resultsKey = strings.nextShared();
      if (resultsKey !== undefined && resultsKey !== "") {
        const redacted =
          (flags & FLAG_COMPACT_RULES) === 0
            ? redactKey(resultsKey, fingerprints)
            : mayHoldSecret(resultsKey)
              ? mapRuleKeys(resultsKey, (key) => redactKey(key, fingerprints))
              : resultsKey;
        if (redacted !== resultsKey) {
          batch.#redactedKeys ??= new Array<string | undefined>(batch.count);
          batch.#redactedKeys[i] = redacted;
        }
      }
      let classes = NO_CLASSES;
      if ((flags & FLAG_OBJECT_RESULTS) !== 0) {
        const objectRow = objectRowOf(redactResultKeys(columns.objectResults[objectIndex++] ?? [], fingerprints));
        batch.#objectRows.push(objectRow);
        classes = objectRow.classes;
      }
      row.botClass = classes.botClass;
      row.attackClass = classes.attackClass;
      each(row, batch);
    }
    return batch;
  }

  /** Row `i`'s id: formatted from its sequence number, or the text it came with. */
  #idAt(i: number, flags: number, text: string | undefined): string {
    if ((flags & FLAG_ID_FROM_SEQUENCE) === 0) return text ?? "";
    return formatDecisionId(this.#ts[i]!, this.#sequences[i]!, this.#idTag);
  }

  /** Hands every row to `each` as the columns of parapet_decisions (one object, refilled: do not keep it). */
  forEachStored(each: (row: StoredDecisionRow) => void): void {
    const strings = new StringReader(this.#strings);
    const row = new StoredDecisionRow();
    const table = this.#table;
    let objectIndex = 0;
    for (let i = 0; i < this.count; i++) {
      const flags = this.#flags[i]!;
      const status = this.statuses.byRow[i]!;
      const code = i * CODES_PER_DECISION;
      row.id = this.#idAt(i, flags, strings.nextShared());
      // An injected clock may read fractions (performance.timeOrigin + performance.now()); PostgreSQL's BIGINT
      // refused every such row, and the whole log with it. The id keeps the exact reading (see #idAt).
      row.ts = Math.floor(this.#ts[i]!);
      row.conclusion = conclusionOf(flags);
      row.denied = (flags & FLAG_DENIED) !== 0;
      row.reasonType = tableValue(table, this.#codes[code + 1]!) ?? "";
      row.status = status === 0 ? null : status;
      // Own strings: the writer remembers the IPs of the minutes it stores (ip-minutes.ts).
      row.ip = strings.next() ?? "";
      row.method = tableValue(table, this.#codes[code]!) ?? "";
      row.path = strings.nextShared() ?? "";
      strings.skip(); // the raw API key: its fingerprint was taken on arrival
      row.apiKey = this.#apiKeys?.[i] ?? null;
      row.userId = nonEmpty(strings.nextShared());
      row.userAgent = strings.nextShared() ?? null;
      const resultsKey = strings.nextShared();
      row.durationMs = this.#durations[i]!;
      if ((flags & FLAG_OBJECT_RESULTS) !== 0) {
        const objects = this.#objectRows[objectIndex++]!;
        row.ruleId = objects.classes.ruleId;
        row.botClass = objects.classes.botClass;
        row.attackClass = objects.classes.attackClass;
        row.results = objects.results;
      } else {
        row.ruleId = null;
        row.botClass = null;
        row.attackClass = null;
        const key = this.#redactedKeys?.[i] ?? resultsKey ?? "";
        const head = tableValue(table, this.#codes[code + 2]!) ?? "";
        if ((flags & FLAG_COMPACT_RULES) === 0) row.results = compactLine(head, this.#ruleDurations[i]!, key);
        else {
          const more = i * (MAX_COMPACT_RULES - 1) - 1;
          row.results = compactRulesLine(
            head,
            (rule) => (rule === 0 ? this.#ruleDurations[i]! : this.#moreRuleDurations[more + rule]!),
            key,
          );
        }
      }
      each(row);
    }
  }
}

/**
 * A batch's HTTP statuses by row (0: none yet), and whether its INSERT is built. All that a decision waiting for
 * its status keeps of its batch, so the batch itself is let go once written.
 */
export class BatchStatuses {
  /** Set once the batch's INSERT is built: a later status must become an UPDATE. */
  sealed = false;

  constructor(readonly byRow: Uint16Array) {}

  /** Puts a status that arrived after its decision on the row; false once sealed (the caller queues an UPDATE). */
  set(index: number, status: number): boolean {
    if (this.sealed) return false;
    this.byRow[index] = status;
    return true;
  }
}

interface ObjectRow {
  readonly classes: ResultClasses;
  /** The results as stored (results-codec.ts). */
  readonly results: string;
}

/** What the detectors and the status join read of a decision on arrival. */
export class ArrivingDecision {
  /** The row's place in its batch. */
  index = 0;
  /** Read only for a row that arrived without a status ("" otherwise): the status join keeps it. */
  id = "";
  ts = 0;
  conclusion: Decision["conclusion"] = "ALLOW";
  denied = false;
  ip = "";
  path = "";
  /** The API key's fingerprint. */
  apiKey: string | null = null;
  userId: string | null = null;
  botClass: string | null = null;
  attackClass: string | null = null;
  userAgent: string | null = null;
  /** The HTTP status that rode along with the decision, 0 when none did (`statusTs`: when it was reported). */
  status = 0;
  statusTs = 0;
}

/** One row of parapet_decisions (see the schema in index.ts). */
export class StoredDecisionRow {
  id = "";
  ts = 0;
  conclusion: Decision["conclusion"] = "ALLOW";
  denied = false;
  reasonType = "";
  ruleId: string | null = null;
  status: number | null = null;
  ip = "";
  method = "";
  path = "";
  userAgent: string | null = null;
  /** A fingerprint of the API key, never the key itself (see `fingerprint` in record.ts). */
  apiKey: string | null = null;
  userId: string | null = null;
  botClass: string | null = null;
  attackClass: string | null = null;
  durationMs = 0;
  /** The rule results as stored (results-codec.ts). */
  results = "";
}

/**
 * The stored form and classes of results that travel as objects. Rules are the application's code: a result
 * JSON cannot write (a cycle, a BigInt) or a reason that is not an object keeps its row, with what every result has.
 */
function objectRowOf(results: readonly RuleResult[]): ObjectRow {
  let classes = NO_CLASSES;
  try {
    classes = classesOf(results);
    return { classes, results: encodeResults(results) };
  } catch {
    return { classes, results: JSON.stringify(essentials(results)) };
  }
}

function conclusionOf(flags: number): Decision["conclusion"] {
  return CONCLUSIONS[(flags >> CONCLUSION_SHIFT) & 3] ?? "ERROR";
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}
