import { canonicalizeKeepingNul, withoutNul } from "../canonicalize.js";
import { AMPERSAND, BACKSLASH, CONTROL, charClassesOf, NON_ASCII, PERCENT } from "../detectors/char-classes.js";
import { parameterSuggestsUrl } from "../detectors/ssrf/index.js";
import type { Candidate, InputKind } from "../detectors/types.js";
import { type Container, InspectedValue } from "./inspected-value.js";
import type { FileContentPolicy } from "./upload.js";

/** How much of a request the shield reads. Every bound exists so a hostile request costs us a fixed amount of work. */
export interface InspectLimits {
  readonly path: boolean;
  readonly query: boolean;
  readonly body: boolean;
  readonly cookies: boolean;
  /** Lowercased header names whose values every detector reads. */
  readonly headers: readonly string[];
  /** Whether the other headers are read too, for the attacks no header carries by accident. */
  readonly otherHeaders: boolean;
  /** Total characters inspected per request; the rest is skipped and the request answered. */
  readonly maxBytes: number;
  /** Values (keys and leaves) inspected per request. */
  readonly maxValues: number;
  /** Nesting depth followed in JSON bodies and `a[b][c]` keys. */
  readonly maxDepth: number;
  /** How much of an uploaded file's content is read (see `FileContentPolicy`). */
  readonly fileContent: FileContentPolicy;
}

/** Classes of the characters that start an encoding canonicalize() undoes (`% & \`, NUL, non-ASCII); a value without them is canonical. */
const ENCODING_CLASSES = PERCENT | AMPERSAND | BACKSLASH | CONTROL | NON_ASCII;

/** The allowance of a sink at one moment (see `CandidateSink.mark`). */
export interface SinkMark {
  readonly budget: number;
  readonly valuesLeft: number;
}

/**
 * Collects candidates for one request: canonicalizes each value once, drops
 * repeats (detectors see each distinct value once) and stops at the limits.
 */
export class CandidateSink {
  readonly candidates: Candidate[] = [];
  /** Headers outside the inspected list: read by fewer detectors (see `addHeaders`). */
  readonly otherHeaders: Candidate[] = [];
  /** Uploaded pages (HTML, SVG, XML files): read for script only (see `FileContentPolicy`). */
  readonly pageFiles: Candidate[] = [];
  /** True when a limit cut inspection short in text the shield reads. */
  truncated = false;
  /** True when a limit was reached inside an uploaded file's content (see `readFiles`). */
  fileCut = false;
  /** Uploaded files' content, read by `readFiles` once everything else is in. */
  private readonly files: (() => void)[] = [];
  private readonly seenKeys = new Set<string>();
  private readonly seenValues = new Set<string>();
  /** Values under URL-like names, and header values (see `seenFor`); made on first use. */
  private seenUrlNamed: Set<string> | undefined;
  private seenHeaders: Set<string> | undefined;
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
   * counts its characters toward `maxBytes`, as `add` would, but is no value
   * toward `maxValues`: it costs a set lookup, and counting it made a body of
   * repeated records (or `a=1` sent 1,000 times) use up the limit before the
   * value that mattered. A new value is recorded as seen here (one set
   * operation, not a lookup then an insert): follow a true answer with `addWanted`.
   */
  wants(kind: InputKind, value: string, name?: string): boolean {
    if (value.length === 0) return false;
    if (this.budget <= 0 || this.isNew(kind, value, name)) return true;
    this.budget -= value.length;
    return false;
  }

  /**
   * Records `value` as seen and says whether it was new. Repeats are dropped
   * only among values every detector reads the same way: a verdict can depend
   * on the kind of place (a header or the path is scored more cautiously for
   * shell syntax, and the path is also read segment by segment for SQL) and,
   * for SSRF, on a URL-like parameter name (a bare host there is a target).
   * With one set for all values, a harmless earlier copy (`a=127.0.0.1`) hid
   * the same value where it matters (`url=127.0.0.1`).
   */
  private isNew(kind: InputKind, value: string, name: string | undefined): boolean {
    let seen: Set<string>;
    switch (kind) {
      case "query-key":
      case "body-key":
        seen = this.seenKeys;
        break;
      case "path":
        return true; // one per request
      case "header":
        seen = this.seenHeaders ??= new Set();
        break;
      default:
        if (name !== undefined && parameterSuggestsUrl(name)) {
          // Read at least as strictly as under any other name: later copies under other names are repeats.
          this.seenValues.add(value);
          seen = this.seenUrlNamed ??= new Set();
        } else {
          seen = this.seenValues;
        }
    }
    const size = seen.size;
    return seen.add(value).size !== size;
  }

  /** Reads an uploaded file's content later, in `readFiles`. */
  addFile(read: () => void): void {
    this.files.push(read);
  }

  /**
   * Reads the uploaded files' content after every field and header: a stored file's content is read as far as the
   * limits go (as a file past maxBodyBytes is), and a limit reached there is no text missed (`fileCut`, not
   * `truncated`). Read in order with the rest, a large CSV upload took the allowance and the fields and headers
   * after it went unread.
   */
  readFiles(): void {
    const textCut = this.truncated;
    for (const read of this.files) {
      if (this.full) {
        this.fileCut = true;
        break;
      }
      read();
    }
    if (this.truncated && !textCut) {
      this.truncated = false;
      this.fileCut = true;
    }
  }

  /** Where the allowance stands now, for `rereadFrom`. */
  mark(): SinkMark {
    return { budget: this.budget, valuesLeft: this.valuesLeft };
  }

  /**
   * Runs `read`, a second reading of input read once since `mark` (a body
   * decoded under its declared charset), with the allowance the first reading
   * started from: an attack placed past what the first reading used up would
   * otherwise be skipped. So such input costs at most twice its limits.
   */
  rereadFrom(mark: SinkMark, read: () => void): void {
    this.budget = Math.max(this.budget, mark.budget);
    this.valuesLeft = Math.max(this.valuesLeft, mark.valuesLeft);
    read();
  }

  /** Counts a value the walker knows was already seen (a key of an object shaped like the previous one), as `wants` would. */
  countRepeat(value: string): void {
    this.budget -= value.length;
  }

  /** `add` for a value `wants` has just called new (and recorded as seen). */
  addWanted(location: string, kind: InputKind, value: string, name?: string): void {
    this.insert(location, "", kind, value, name, true);
  }

  /** `addWanted` for a value found in `container` at `segment`, whose location is spelled out only if it is read. */
  addWantedIn(container: Container, segment: string | number, kind: InputKind, value: string, name?: string): void {
    this.insert(container, segment, kind, value, name, true);
  }

  add(location: string, kind: InputKind, value: string, name?: string): void {
    this.insert(location, "", kind, value, name, false);
  }

  /** A header outside the inspected list; it counts toward the limits like any value. */
  addOtherHeader(location: string, value: string): void {
    const before = this.candidates.length;
    this.insert(location, "", "header", value, undefined, false);
    // insert() appends to `candidates`; this one belongs with the other headers.
    if (this.candidates.length > before) this.otherHeaders.push(this.candidates.pop() as Candidate);
  }

  /**
   * An uploaded page, read by the page detector alone, on the file as received (a browser decodes nothing in a page,
   * so canonicalizing it, 1.4 ms for a 44 KB page, would be wasted). Never dropped as a repeat, nor recorded as seen:
   * a field with the same text must still reach every detector.
   */
  addPageFile(location: string, value: string, name: string): void {
    const before = this.candidates.length;
    this.insert(location, "", "body", value, name, true, true);
    if (this.candidates.length > before) this.pageFiles.push(this.candidates.pop() as Candidate);
  }

  /**
   * `place` and `segment`: see InspectedValue. `recorded`: `wants` already recorded the value as seen.
   * `page`: an uploaded page (see `addPageFile`): kept as received and never deduplicated.
   */
  private insert(
    place: string | Container,
    segment: string | number,
    kind: InputKind,
    value: string,
    name: string | undefined,
    recorded: boolean,
    page = false,
  ): void {
    if (value.length === 0) return;
    if (this.budget <= 0) {
      this.truncated = true;
      return;
    }
    let raw = value;
    let seenAlready = recorded;
    if (raw.length > this.budget) {
      raw = raw.slice(0, this.budget);
      this.truncated = true;
      seenAlready = false;
    }
    this.budget -= raw.length;
    // Repeats are dropped before canonicalizing (the same raw text has the same canonical form): JSON arrays repeat
    // values a lot. A repeat is no value toward maxValues (see `wants`).
    if (!page && !seenAlready && !this.isNew(kind, raw, name)) return;
    if (this.valuesLeft <= 0) {
      this.truncated = true;
      return;
    }
    this.valuesLeft--;
    // Header values are mostly answered from the scan's cache, which needs no classes: they are computed there on a miss.
    if (kind === "header") {
      const kept = canonicalizeKeepingNul(raw);
      const canonical = withoutNul(kept);
      this.candidates.push(
        new InspectedValue(place, segment, kind, raw, canonical, name, undefined, kept === canonical ? undefined : kept),
      );
      return;
    }
    // One pass gives the classes and says whether anything is encoded: most values are their own canonical form.
    let canonical = raw;
    let classes = charClassesOf(raw);
    let withNul: string | undefined;
    if (!page && (classes & ENCODING_CLASSES) !== 0) {
      const kept = canonicalizeKeepingNul(raw);
      canonical = withoutNul(kept);
      if (canonical !== raw) classes = charClassesOf(canonical);
      // The NUL is still a control character to the detectors that read it (see Candidate.withNul): a value that
      // is letters and digits once its NULs are gone (`1%00UNION%00SELECT%001`) must not pass for an inert word.
      if (kept !== canonical) {
        withNul = kept;
        classes |= CONTROL;
      }
    }
    this.candidates.push(new InspectedValue(place, segment, kind, raw, canonical, name, classes, withNul));
  }
}
