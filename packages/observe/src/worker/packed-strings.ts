/**
 * Strings for the log worker, copied as UTF-16 code units into one typed
 * array with their lengths in another, at capture time. The request thread
 * then holds no string or object per decision (nothing for the garbage
 * collector to copy from young to old space while a batch fills), and
 * handing a batch over transfers two buffers instead of cloning thousands of
 * strings. The copy is exact: code units, lone surrogates included.
 */
export interface PackedStrings {
  readonly chars: Uint16Array;
  /** One per value, in order; ABSENT for undefined. */
  readonly lengths: Uint32Array;
}

const ABSENT = 0xffff_ffff;
const INITIAL_CHARS_PER_VALUE = 24;

export class StringPacker {
  #chars: Uint16Array;
  readonly #lengths: Uint32Array;
  #count = 0;
  #used = 0;

  /** `capacity`: the most values that will be added. */
  constructor(capacity: number) {
    this.#lengths = new Uint32Array(capacity);
    this.#chars = new Uint16Array(Math.max(64, capacity * INITIAL_CHARS_PER_VALUE));
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
    const length = value.length < max ? value.length : max;
    if (this.#used + length > this.#chars.length) this.#grow(this.#used + length);
    const chars = this.#chars;
    const at = this.#used;
    for (let i = 0; i < length; i++) chars[at + i] = value.charCodeAt(i);
    this.#used = at + length;
    this.#lengths[this.#count++] = length;
  }

  /** The values so far; the packer must not be used afterwards (its buffers may be transferred). */
  finish(): PackedStrings {
    return { chars: this.#chars.subarray(0, this.#used), lengths: this.#lengths.subarray(0, this.#count) };
  }

  #grow(needed: number): void {
    const grown = new Uint16Array(Math.max(needed, this.#chars.length * 2));
    grown.set(this.#chars.subarray(0, this.#used));
    this.#chars = grown;
  }
}

/** Reads values back in the order they were added. */
export class StringReader {
  #index = 0;
  #offset = 0;

  constructor(private readonly packed: PackedStrings) {}

  next(): string | undefined {
    const length = this.packed.lengths[this.#index++];
    if (length === undefined) throw new RangeError("StringReader read past the packed values");
    if (length === ABSENT) return undefined;
    const start = this.#offset;
    this.#offset += length;
    return decode(this.packed.chars, start, this.#offset);
  }
}

/** Code units back to a string; `apply` takes the typed array as is (a spread would iterate it), in chunks the call can take. */
function decode(chars: Uint16Array, start: number, end: number): string {
  if (end - start <= 4096) return String.fromCharCode.apply(null, chars.subarray(start, end) as unknown as number[]);
  let text = "";
  for (let at = start; at < end; at += 4096) {
    text += String.fromCharCode.apply(null, chars.subarray(at, Math.min(end, at + 4096)) as unknown as number[]);
  }
  return text;
}

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
