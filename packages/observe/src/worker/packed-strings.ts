/**
 * Strings for the log worker: a batch's values joined into one string, with
 * their lengths in a typed array. Adding a value only keeps a reference to a
 * string the request already made (copying characters one by one in
 * JavaScript was the largest part of capturing a decision); `finish` joins
 * them once per batch in native code. The log worker then receives one flat
 * string, copied in a single piece, and the lengths buffer is transferred,
 * not copied. Values are exact: code units, lone surrogates included.
 */
export interface PackedStrings {
  /** Every value, one after another. */
  readonly text: string;
  /** One per value, in order; ABSENT for undefined. */
  readonly lengths: Uint32Array;
}

const ABSENT = 0xffff_ffff;

export class StringPacker {
  /** Sized once: growing an array by push, step by step, cost as much as the pushes. */
  readonly #parts: string[];
  #partCount = 0;
  readonly #lengths: Uint32Array;
  #count = 0;

  /** `capacity`: the most values that will be added; `lengths` may be a view the caller allocated with other columns. */
  constructor(capacity: number, lengths = new Uint32Array(capacity)) {
    if (lengths.length < capacity) throw new RangeError("StringPacker lengths must hold `capacity` values");
    this.#lengths = lengths;
    this.#parts = new Array<string>(capacity);
  }

  get count(): number {
    return this.#count;
  }

  /** Adds `value`, cut to its first `max` code units. */
  add(value: string | undefined, max: number): void {
    if (this.#count === this.#lengths.length) throw new RangeError(`StringPacker holds at most ${this.#lengths.length} values`);
    if (value === undefined) {
      this.#lengths[this.#count++] = ABSENT;
      return;
    }
    // A cut value is detached from the request's string: while the ring waits (a database outage) 50,000 slices of
    // 16 KB headers would keep 800 MB alive for what is 25 MB of log.
    const kept = value.length > max ? detached(value.slice(0, max)) : value;
    this.#parts[this.#partCount++] = kept;
    this.#lengths[this.#count++] = kept.length;
  }

  /** The values so far; the packer must not be used afterwards (its lengths buffer may be transferred). */
  finish(): PackedStrings {
    this.#parts.length = this.#partCount;
    return { text: this.#parts.join(""), lengths: this.#lengths.subarray(0, this.#count) };
  }
}

/** V8 copies a substring shorter than this (SlicedString::kMinLength); a longer one is a view of its parent. */
const SHORTEST_VIEW = 13;

/**
 * `value` as a string of its own, for one that may be a slice of a batch's
 * text and is about to be kept (a map key, a detector's state): a slice would
 * keep the batch's whole text alive.
 */
export function detached(value: string): string {
  // Prepending forces V8 to copy the slice into a string of its own when the result is cut again.
  return value.length < SHORTEST_VIEW ? value : ` ${value}`.slice(1);
}

/**
 * Reads values back in the order they were added, each cut from the batch's
 * text in one of two ways:
 * - `next()`: a string of its own. For values the detectors may keep (IPs,
 *   paths, keys): a plain slice would keep the batch's whole text alive.
 * - `nextShared()`: a plain slice, cheaper still, for values that die with
 *   their row (ids, user agents) or with the batch.
 * `skip()` moves past a value this reader has no use for.
 */
export class StringReader {
  #index = 0;
  #offset = 0;

  constructor(private readonly packed: PackedStrings) {}

  next(): string | undefined {
    const value = this.nextShared();
    return value === undefined ? undefined : detached(value);
  }

  nextShared(): string | undefined {
    const length = this.#advance();
    if (length === ABSENT) return undefined;
    return this.packed.text.slice(this.#offset - length, this.#offset);
  }

  skip(): void {
    this.#advance();
  }

  /** The next value's length (ABSENT for undefined), the offset moved past it. */
  #advance(): number {
    const length = this.packed.lengths[this.#index++];
    if (length === undefined) throw new RangeError("StringReader read past the packed values");
    if (length !== ABSENT) this.#offset += length;
    return length;
  }
}

/** Values a table compares by identity before it hashes (see StringTable.code). */
const IDENTITY_SCAN = 8;

/**
 * Values that repeat within a batch (methods, reason types, a rule's compact
 * head) as small integer codes plus one list of the distinct values: a code
 * costs a typed-array slot instead of a string. Code 0 is undefined.
 */
export class StringTable {
  readonly #codes = new Map<string, number>();
  readonly values: string[] = [];

  code(value: string | undefined): number {
    if (value === undefined) return 0;
    // These are nearly always the very strings seen before (constants, a cached head): comparing the first few
    // by identity is cheaper than hashing for the Map.
    const values = this.values;
    const scan = values.length < IDENTITY_SCAN ? values.length : IDENTITY_SCAN;
    for (let i = 0; i < scan; i++) if (values[i] === value) return i + 1;
    let code = this.#codes.get(value);
    if (code === undefined) {
      this.values.push(value);
      code = this.values.length;
      this.#codes.set(value, code);
    }
    return code;
  }
}

export function tableValue(values: readonly string[], code: number): string | undefined {
  return code === 0 ? undefined : values[code - 1];
}
