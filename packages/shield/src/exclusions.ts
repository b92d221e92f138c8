/**
 * Exclusions: places where the app expects what would otherwise look like an
 * attack (a rich-text `body.content` holds markup, a `body.snippet` holds
 * code). Without them a team with one such field has to take the whole
 * shield out of LIVE mode; with them the rest of the request stays guarded,
 * like a ModSecurity rule exclusion scoped to one argument.
 *
 * They are applied to findings, not to the values inspected: the hot path
 * pays nothing, and only a request that has a finding checks its location.
 */
import { optionError } from "@parapet/core";
import type { AttackClass } from "./detectors/index.js";
import { locationSegment } from "./reported.js";

export type ExclusionOption = string | { readonly location: string; readonly classes?: readonly AttackClass[] };

/**
 * A location pattern, segment by segment: `query.q`, `body.posts.*.html` (`*`
 * is one segment: a key or an array index), `body.content.**` (`**`, last
 * only: the place and everything under it).
 */
export interface LocationPattern {
  readonly segments: readonly string[];
  readonly subtree: boolean;
}

interface Exclusion extends LocationPattern {
  readonly classes: ReadonlySet<AttackClass>;
}

const PLACES = new Set(["path", "query", "body", "header", "cookie"]);
const WHERE = "shield";

/**
 * A polluting key (`__proto__`, `constructor.prototype`) changes every object
 * in the process whatever field it sits under, so an exclusion leaves it
 * guarded unless it names the class.
 */
const NOT_EXCLUDED_BY_DEFAULT: AttackClass = "proto-pollution";

export class Exclusions {
  readonly #list: readonly Exclusion[];

  private constructor(list: readonly Exclusion[]) {
    this.#list = list;
  }

  static from(options: unknown, known: readonly AttackClass[]): Exclusions {
    if (options === undefined) return new Exclusions([]);
    if (!Array.isArray(options))
      throw optionError(
        WHERE,
        '`exclude` must be an array of locations, e.g. ["body.content", { location: "query.q", classes: ["sqli"] }]',
      );
    return new Exclusions(options.map((option) => parse(option, known)));
  }

  get size(): number {
    return this.#list.length;
  }

  /** Whether a finding of `attackClass` at `location` (as decisions report it: `body.user.name`) is excluded. */
  covers(location: string, attackClass: AttackClass): boolean {
    const segments = location.split(".");
    for (const exclusion of this.#list) {
      if (exclusion.classes.has(attackClass) && matchesPattern(exclusion, segments)) return true;
    }
    return false;
  }
}

function parse(option: unknown, known: readonly AttackClass[]): Exclusion {
  const spec = typeof option === "string" ? { location: option } : option;
  if (typeof spec !== "object" || spec === null || typeof (spec as { location?: unknown }).location !== "string")
    throw optionError(WHERE, 'each `exclude` entry is a location string or { location, classes }, e.g. "body.content"');
  const { location, classes } = spec as { location: string; classes?: unknown };
  return { ...parseLocationPattern(location, "exclude"), classes: parseClasses(location, classes, known) };
}

/** A location pattern as written in the option named `option` (for its error messages). */
export function parseLocationPattern(location: string, option: string): LocationPattern {
  const segments = location.split(".");
  const place = segments[0] as string;
  if (!PLACES.has(place) || segments.some((s) => s === ""))
    throw optionError(
      WHERE,
      `\`${option}\` location "${location}" must start with path, query, body, header or cookie, e.g. "body.content"`,
    );
  const subtree = segments[segments.length - 1] === "**";
  if (subtree) segments.pop();
  if (segments.includes("**")) throw optionError(WHERE, `\`${option}\` location "${location}": "**" may only be the last segment`);
  // Decisions spell header names in lower case; a long key is matched by its cut form (see matchesPattern).
  const normalized = place === "header" ? segments.map((s) => s.toLowerCase()) : segments;
  return { segments: normalized.map((s) => (s === "*" ? s : locationSegment(s))), subtree };
}

function parseClasses(location: string, classes: unknown, known: readonly AttackClass[]): ReadonlySet<AttackClass> {
  if (classes === undefined) return new Set(known.filter((c) => c !== NOT_EXCLUDED_BY_DEFAULT));
  if (!Array.isArray(classes) || classes.length === 0)
    throw optionError(WHERE, `\`exclude\` entry "${location}": \`classes\` must be a non-empty array of attack classes`);
  for (const c of classes) {
    if (!known.includes(c as AttackClass))
      throw optionError(WHERE, `\`exclude\` entry "${location}": unknown attack class "${String(c)}"; use one of ${known.join(", ")}`);
  }
  return new Set(classes as AttackClass[]);
}

/**
 * Whether a location, split at its dots, is one the pattern names. Keys are compared as locations name them
 * (reported.ts locationSegment): the JSON walker spells a long key cut, the other places in full, and a pattern
 * naming a long key matches it either way.
 */
export function matchesPattern(location: LocationPattern, segments: readonly string[]): boolean {
  const pattern = location.segments;
  if (location.subtree ? segments.length < pattern.length : segments.length !== pattern.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== "*" && pattern[i] !== locationSegment(segments[i] as string)) return false;
  }
  return true;
}
