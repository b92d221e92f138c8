import type { Candidate, InputKind } from "../detectors/types.js";
import { locationSegment } from "../reported.js";

/** A container a walker reads values from (a JSON object or array), which spells out its location only when asked. */
export interface Container {
  readonly location: string;
}

/**
 * A candidate as the sink builds it. Its location is given as text, or as the
 * container the value was found in and its key or index there, joined on
 * first read: a 10 KB JSON array yields a hundred values or more, and only a
 * finding's location is ever read. Every candidate the sink makes is one of
 * these, so detectors read one object shape.
 */
export class InspectedValue implements Candidate {
  /** The location, or until it is first read, the container the value was found in. */
  #place: string | Container;
  readonly #segment: string | number;

  /** `place`: the location, or the container the value was found in; `segment`: its key or index there (unused with a location). */
  constructor(
    place: string | Container,
    segment: string | number,
    readonly kind: InputKind,
    readonly raw: string,
    readonly canonical: string,
    readonly name: string | undefined,
    readonly classes: number | undefined,
    readonly withNul?: string,
  ) {
    this.#place = place;
    this.#segment = segment;
  }

  get location(): string {
    if (typeof this.#place !== "string") this.#place = `${this.#place.location}.${locationSegment(this.#segment)}`;
    return this.#place;
  }

  /** Plain data with the location spelled out: `JSON.stringify` does not read getters. */
  toJSON(): Candidate {
    return {
      location: this.location,
      kind: this.kind,
      raw: this.raw,
      canonical: this.canonical,
      name: this.name,
      classes: this.classes,
      withNul: this.withNul,
    };
  }
}
