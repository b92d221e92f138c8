import { canonicalize } from "../canonicalize.js";
import type { Candidate, InputKind } from "../detectors/types.js";

/** How much of a request the shield reads. Every bound exists so a hostile request costs us a fixed amount of work. */
export interface InspectLimits {
  readonly path: boolean;
  readonly query: boolean;
  readonly body: boolean;
  readonly cookies: boolean;
  /** Lowercased header names whose values are inspected. */
  readonly headers: readonly string[];
  /** Total characters inspected per request; the rest is skipped and the request answered. */
  readonly maxBytes: number;
  /** Values (keys and leaves) inspected per request. */
  readonly maxValues: number;
  /** Nesting depth followed in JSON bodies and `a[b][c]` keys. */
  readonly maxDepth: number;
}

/**
 * Collects candidates for one request: canonicalizes each value once, drops
 * repeats (detectors see each distinct value once) and stops at the limits.
 */
export class CandidateSink {
  readonly candidates: Candidate[] = [];
  /** True when a limit cut inspection short. */
  truncated = false;
  private readonly seenKeys = new Set<string>();
  private readonly seenValues = new Set<string>();
  private budget: number;
  /** Values still allowed (counts down from maxValues): one comparison in `full`, which walkers ask per value. */
  private valuesLeft: number;

  constructor(readonly limits: InspectLimits) {
    this.budget = limits.maxBytes;
    this.valuesLeft = limits.maxValues;
  }

  get full(): boolean {
    return this.budget <= 0 || this.valuesLeft <= 0;
  }

  /**
   * Whether `add` would inspect this value, or (for a repeat or an empty
   * value) only count it: lets a walker skip building the location. A repeat
   * still counts toward the limits, as `add` would count it.
   */
  wants(kind: InputKind, value: string): boolean {
    if (value.length === 0 || this.full) return value.length !== 0;
    const seen = kind === "query-key" || kind === "body-key" ? this.seenKeys : this.seenValues;
    if (!seen.has(value)) return true;
    this.valuesLeft--;
    this.budget -= value.length;
    return false;
  }

  add(location: string, kind: InputKind, value: string, name?: string): void {
    if (value.length === 0) return;
    if (this.full) {
      this.truncated = true;
      return;
    }
    this.valuesLeft--;
    let raw = value;
    if (raw.length > this.budget) {
      raw = raw.slice(0, this.budget);
      this.truncated = true;
    }
    this.budget -= raw.length;
    // Repeats are dropped before canonicalizing (the same raw text has the same canonical form): JSON arrays repeat values a lot.
    const seen = kind === "query-key" || kind === "body-key" ? this.seenKeys : this.seenValues;
    if (seen.has(raw)) return;
    seen.add(raw);
    const canonical = canonicalize(raw);
    this.candidates.push(name === undefined ? { location, kind, raw, canonical } : { location, kind, raw, canonical, name });
  }
}
