/**
 * Many short strings as one: their texts joined and their lengths in a typed
 * array. Handing a batch to the log worker, postMessage clones each string of
 * an array separately (a few hundred instructions apiece, on the request
 * thread); one joined string is a single copy, and the lengths' buffer is
 * transferred, not copied. Values need no escaping: lengths say where each ends.
 */
export interface PackedStrings {
  readonly text: string;
  /** One per value, in order; ABSENT for undefined. */
  readonly lengths: Uint32Array;
}

const ABSENT = 0xffff_ffff;

export class StringPacker {
  readonly #parts: string[] = [];
  readonly #lengths: Uint32Array;
  #count = 0;

  /** `capacity`: how many values will be added (exactly sized, so the buffer can be transferred as is). */
  constructor(capacity: number) {
    this.#lengths = new Uint32Array(capacity);
  }

  add(value: string | undefined): void {
    if (value === undefined) {
      this.#lengths[this.#count++] = ABSENT;
      return;
    }
    this.#lengths[this.#count++] = value.length;
    // join(""), not +=: a rope of thousands of pieces costs more to flatten (postMessage must) than join does.
    this.#parts.push(value);
  }

  finish(): PackedStrings {
    if (this.#count !== this.#lengths.length) {
      throw new RangeError(`StringPacker expected ${this.#lengths.length} values, got ${this.#count}`);
    }
    return { text: this.#parts.join(""), lengths: this.#lengths };
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
    const value = this.packed.text.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }
}

/**
 * Values that repeat within a batch (methods, reason types, user agents, a
 * rule's compact head) as small integer codes plus one list of the distinct
 * values: a code costs a typed-array slot instead of a string to clone.
 * Code 0 is undefined.
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
