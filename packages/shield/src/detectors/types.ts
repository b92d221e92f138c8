/**
 * The contract between the shield's plumbing (what to inspect, how to
 * canonicalize it) and its detectors (is this value an attack?).
 */

export type AttackClass =
  | "sqli"
  | "xss"
  | "traversal"
  | "cmdi"
  | "ssrf"
  | "jndi"
  | "proto-pollution"
  | "nosqli"
  | "ssti"
  | "code-injection"
  | "ldap"
  | "session-fixation"
  | "rfi"
  | "file-upload";

/** Where a value came from; detectors may weigh evidence differently by place. */
export type InputKind = "path" | "query" | "query-key" | "header" | "cookie" | "body" | "body-key";

/** One value to inspect, already canonicalized by the plumbing. */
export interface Candidate {
  /** e.g. "query.id", "body.user.name", "header.user-agent", "path". */
  readonly location: string;
  readonly kind: InputKind;
  /** The value as received (after the framework's single URL-decode, if any). */
  readonly raw: string;
  /**
   * The canonical form: repeatedly URL-decoded, HTML-entity and Unicode
   * normalized (NFKC, full-width folded), null bytes removed, backslashes
   * kept. Detectors match on this.
   */
  readonly canonical: string;
  /**
   * The canonical form with its NULs kept (see `canonicalizeKeepingNul`), only when the value held one: a NUL is
   * whitespace to Oracle and the end of the string to C code, not the nothing `canonical` reads it as. Absent for
   * almost every value, so reading it costs nothing where there is no NUL.
   */
  readonly withNul?: string | undefined;
  /** For `kind: "query"|"body"`, the parameter name (last segment), for context-aware detectors. */
  readonly name?: string | undefined;
  /**
   * The character classes of `canonical` (see char-classes.ts), computed once
   * by the plumbing so that each detector's "is there any syntax here?" is one
   * mask test instead of its own pass over the value. Absent on candidates
   * built by hand; use `classesOf(candidate)`.
   */
  readonly classes?: number | undefined;
}

export interface Finding {
  readonly class: AttackClass;
  /** Confidence 0..1. The rule denies at or above the sensitivity's threshold. */
  readonly score: number;
  /** Short, log-safe description of what matched (e.g. "tautology: ' OR '1'='1"). Max ~120 chars. */
  readonly evidence: string;
}

/** A detector is a pure function of one candidate. It must run in linear time and never throw. */
export interface Detector {
  readonly class: AttackClass;
  /**
   * Character classes (see char-classes.ts), at least one of which a value
   * must contain for `detect` to find anything in it; the scan skips the
   * detector for other values. Leave it out when a finding can come from
   * letters alone.
   */
  readonly needs?: number;
  detect(candidate: Candidate): Finding | undefined;
}

/**
 * The few attacks spelled with letters, digits and `. + -` alone, for a
 * detector that otherwise skips plain text. The scan asks `admits` only for
 * plain text that has one of the `anyOf` classes: most text pays one mask test.
 */
export interface PlainGate {
  readonly anyOf: number;
  admits(value: string, classes: number): boolean;
}
