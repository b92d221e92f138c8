import type { StatusColumns } from "./worker/columns.js";
import { StringPacker } from "./worker/packed-strings.js";

/**
 * HTTP statuses reported by the app (`recordStatus`), held in three
 * preallocated columns until the next pump: like decisions, a status costs the
 * request path a few stores, not an object, a map lookup or a database write.
 */
export class StatusRing {
  readonly #ids: string[];
  readonly #statuses: Uint16Array;
  readonly #ts: Float64Array;
  #size = 0;
  #dropped = 0;

  constructor(readonly capacity: number) {
    this.#ids = new Array<string>(capacity).fill("");
    this.#statuses = new Uint16Array(capacity);
    this.#ts = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  get dropped(): number {
    return this.#dropped;
  }

  push(id: string, status: number, ts: number): boolean {
    if (this.#size === this.capacity) {
      this.#dropped++;
      return false;
    }
    const slot = this.#size++;
    this.#ids[slot] = id;
    this.#statuses[slot] = status;
    this.#ts[slot] = ts;
    return true;
  }

  /** Empties the ring into columns for the log worker. */
  drainColumns(): StatusColumns {
    const count = this.#size;
    this.#size = 0;
    const ids = new StringPacker(count);
    for (let i = 0; i < count; i++) ids.add(this.#ids[i], Number.MAX_SAFE_INTEGER);
    return { count, ids: ids.finish(), statuses: this.#statuses.slice(0, count), ts: this.#ts.slice(0, count) };
  }

  /** Hands every status over, in arrival order, and empties the ring. */
  drain(each: (id: string, status: number, ts: number) => void): void {
    const count = this.#size;
    this.#size = 0;
    for (let i = 0; i < count; i++) each(this.#ids[i]!, this.#statuses[i]!, this.#ts[i]!);
  }
}
