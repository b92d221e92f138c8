/**
 * SQL injection detector. A value is dangerous if, spliced into a query in any
 * of the places an application could put it (a numeric position, a
 * single-quoted literal, a double-quoted literal, a quoted identifier), it changes the query's
 * structure. Each context is tokenized (./tokenizer.ts) and the token stream
 * classified (./classify.ts); the strongest signal wins.
 */

import { ANGLE, charClassesOf, classesOf, MINUS } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { findTags } from "../xss/html-tags.js";
import { isXmlDocument } from "../xss/tag-verdicts.js";
import { type Context, classify, type SqlSignal } from "./classify.js";
import { mightBeSql } from "./gate.js";
import { findMixedQuoteRun, isQuoteProbe } from "./probes.js";
import { isSystemCatalogName } from "./statement-fragments.js";
import { tokenize } from "./tokenizer.js";
import { isVersionRange } from "./version-range.js";

const CONTEXTS: readonly Context[] = ["", "'", '"', "`"];

const BACKSLASH_QUOTE = /\\['"`]/;
/** The backslash only (the lookahead keeps the quote), replaced by a space. */
const BACKSLASH_QUOTE_ALL = /\\(?=['"`])/g;
const TYPOGRAPHIC_QUOTES = /[\u2018\u2019\u201c\u201d]/;
const TYPOGRAPHIC_QUOTES_ALL = /[\u2018\u2019\u201c\u201d]/g;

/** Evidence is log-safe and short, per the Finding contract. */
const EVIDENCE_LENGTH = 80;

/**
 * Variants of the value a database could see: as is, and with `+` read as a
 * space (a form-encoded space the plumbing may not have decoded, and a common
 * way to write `'+OR+1=1` without spaces).
 */
function variantsOf(value: string): string[] {
  const variants = [value];
  if (value.includes("+") && !value.includes(" ")) variants.push(value.replaceAll("+", " "));
  // Only MySQL reads `\'` as an escaped quote; in PostgreSQL, SQLite, SQL Server and Oracle the backslash is
  // an ordinary character and the quote after it ends the literal: `\' or 1=1--` breaks out there.
  if (BACKSLASH_QUOTE.test(value)) variants.push(value.replace(BACKSLASH_QUOTE_ALL, " "));
  // Some database character-set conversions turn typographic quotes into ASCII ones.
  if (TYPOGRAPHIC_QUOTES.test(value))
    variants.push(value.replace(TYPOGRAPHIC_QUOTES_ALL, (q) => (q === "\u201c" || q === "\u201d" ? '"' : "'")));
  // `1%a0UNION%a0SELECT`: 0xA0 is a blank to MySQL in Latin-1, and a byte UTF-8 decoding left as written.
  if (value.includes("%a0") || value.includes("%A0")) variants.push(value.replace(LATIN1_BLANK, " "));
  const unpercented = withoutStrayPercents(value);
  if (unpercented !== undefined) variants.push(unpercented);
  // `SE/**/LECT`, `AN/**/D`: an app or filter that strips comments before the query joins the keyword again.
  if (value.includes("/**/")) {
    const joined = value.replace(COMMENT_INSIDE_WORD, "");
    if (joined !== value) variants.push(joined);
  }
  return variants;
}

/**
 * An empty comment glued between two letters (sqlmap's randomcomments tamper). Nobody writes one in a word: in
 * SQL it splits the word in two, so only a comment-stripping filter in front of the database makes it a keyword.
 */
const COMMENT_INSIDE_WORD = /(?<=[a-z])\/\*\*\/(?=[a-z])/gi;

const LATIN1_BLANK = /%a0/gi;

/** A `%` that starts no `%XX` escape, before a letter: `%S` in `%S%E%L%E%C%T`. */
const STRAY_PERCENT = /%(?![0-9a-f]{2})(?=[a-z])/gi;

/**
 * ASP on IIS drops a `%` that starts no `%XX` escape, so `%S%E%L%E%C%T`
 * reaches the database as `SELECT` (sqlmap's percentage tamper). Read that way
 * when at least two letters are hidden so: one stray `%` is a typo or `100%off`.
 */
function withoutStrayPercents(value: string): string | undefined {
  if (!value.includes("%")) return undefined;
  let stray = 0;
  STRAY_PERCENT.lastIndex = 0;
  while (STRAY_PERCENT.exec(value) !== null) if (++stray === 2) return value.replace(STRAY_PERCENT, "");
  return undefined;
}

/**
 * "`SELECT * FROM t` is slow": Markdown opening with a code span, its code
 * glued to the backtick and closed by a second one. A value that closes a
 * quoted identifier goes on after a space or a symbol: `` ` AS `x` FROM``.
 */
function opensCodeSpan(value: string): boolean {
  const first = value.charCodeAt(1);
  return value.startsWith("`") && first > 0x20 && first !== 0x60 && value.indexOf("`", 2) !== -1;
}

function strongest(value: string): { signal: SqlSignal; context: Context } | undefined {
  let best: { signal: SqlSignal; context: Context } | undefined;
  for (const context of CONTEXTS) {
    if (context !== "" && !value.includes(context)) continue;
    if (context === "`" && opensCodeSpan(value)) continue;
    const signal = classify(tokenize(value, context), context);
    if (signal !== undefined && (best === undefined || signal.score > best.signal.score)) best = { signal, context };
  }
  return best;
}

function describe(value: string, signal: SqlSignal, context: Context): string {
  const where = context === "" ? "raw" : `in ${context}…${context}`;
  return evidenceOf(`${signal.technique} (${where})`, value.slice(signal.at, signal.at + EVIDENCE_LENGTH));
}

/** Bound on the attribute values of an XML document checked one by one; a hostile body cannot multiply the work. */
const MAX_XML_ATTRIBUTES = 256;

/**
 * An XML body (`<?xml …?>` first) is data: the values a query receives are its
 * attribute values, e.g. `<a id="1 OR 1=1"/>`. Each is checked on its own.
 */
function detectInXmlAttributes(value: string): Finding | undefined {
  let best: Finding | undefined;
  let checked = 0;
  for (const tag of findTags(value)) {
    for (const attribute of tag.attributes) {
      if (checked++ >= MAX_XML_ATTRIBUTES) return best;
      const found = detectValue(attribute.value, charClassesOf(attribute.value));
      if (found !== undefined && (best === undefined || found.score > best.score)) best = found;
    }
  }
  return best;
}

/** Bound on the path segments checked one by one; a path of thousands of slashes cannot multiply the work. */
const MAX_PATH_SEGMENTS = 32;

/**
 * A router hands each path segment to the app on its own (`/users/:id`), so a
 * query receives a segment, not the whole path: `/items/1 OR 1=1` must be read
 * as `1 OR 1=1`, where a value starting with `/items/` would hide it.
 */
function detectInPathSegments(path: string): Finding | undefined {
  let best: Finding | undefined;
  let start = path.startsWith("/") ? 1 : 0;
  for (let count = 0; count < MAX_PATH_SEGMENTS && start < path.length; count++) {
    const slash = path.indexOf("/", start);
    const end = slash === -1 ? path.length : slash;
    const segment = path.slice(start, end);
    const found = end > start ? detectValue(segment, charClassesOf(segment)) : undefined;
    if (found !== undefined && (best === undefined || found.score > best.score)) best = found;
    if (slash === -1) break;
    start = slash + 1;
  }
  return best;
}

/**
 * The value as a database given its NULs reads it, when it had any (`withNul`, see Candidate): Oracle skips a NUL
 * as whitespace, so `1%00OR%001=1` reaches it as `1 OR 1=1` where the canonical form reads `1OR1=1`; a driver that
 * takes the query as a C string (MySQL's `mysql_query`, Access through Jet: sqlmap's appendnullbyte) ends the query
 * at the first one, so `admin'%00` cuts what follows as `admin'--` does.
 */
function detectNulReadings(withNul: string): Finding | undefined {
  const blanked = withNul.replaceAll("\0", " ");
  const cut = withNul.slice(0, withNul.indexOf("\0"));
  const asComment = cut.trim().length === 0 ? undefined : detectValue(`${cut}-- `, charClassesOf(cut) | MINUS);
  return strongerOf(strongerOf(detectValue(blanked, charClassesOf(blanked)), asComment), statementCutByNul(cut));
}

/** A number ending a statement: `1;`, ` -2.5 ;`. */
const NUMBER_THEN_SEMICOLON = /^\s*[-+]?\d+(?:\.\d+)?\s*;\s*$/;

/**
 * `1;%00`: a number in a numeric position ends the statement, and the NUL cuts the rest of the query. A bare `1;`
 * is not read so (a list item ends with one), but no text a person types holds a NUL. (Quoted, `1';%00`, the
 * classifier reads a breakout.)
 */
function statementCutByNul(cut: string): Finding | undefined {
  const text = cut.trimEnd();
  if (!NUMBER_THEN_SEMICOLON.test(text)) return undefined;
  return { class: "sqli", score: 0.8, evidence: evidenceOf("statement ended, the query cut by a NUL", text.slice(-EVIDENCE_LENGTH)) };
}

function detectSqli(candidate: Candidate): Finding | undefined {
  const value = candidate.canonical;
  const classes = classesOf(candidate);
  const withNul = candidate.withNul;
  const direct = strongerOf(detectValue(value, classes), withNul === undefined ? undefined : detectNulReadings(withNul));
  if ((direct?.score ?? 0) >= 0.9) return direct;
  // `<?xml` opens with a `<`: without one (the ANGLE class), the regex is not asked.
  const nested =
    candidate.kind === "path" && mightBeSql(value, classes)
      ? detectInPathSegments(value)
      : (classes & ANGLE) !== 0 && isXmlDocument(value)
        ? detectInXmlAttributes(value)
        : undefined;
  return nested !== undefined && nested.score > (direct?.score ?? 0) ? nested : direct;
}

function strongerOf(a: Finding | undefined, b: Finding | undefined): Finding | undefined {
  return b !== undefined && b.score > (a?.score ?? 0) ? b : a;
}

/** `classes`: the character classes of `value` (char-classes.ts). */
function detectValue(value: string, classes: number): Finding | undefined {
  if (value.length === 0) return undefined;
  if (!(mightBeSql(value, classes) || mightBeSql(withoutStrayPercents(value) ?? "", classes))) {
    return isSystemCatalogName(value) ? catalogFinding(value) : undefined;
  }
  // `>=16 || 14 >=14.17` compares versions, not columns: package.json's `engines`, a dependency's range.
  if (isVersionRange(value)) return undefined;
  let best: { signal: SqlSignal; context: Context; value: string } | undefined;
  for (const variant of variantsOf(value)) {
    const found = strongest(variant);
    if (found !== undefined && (best === undefined || found.signal.score > best.signal.score)) best = { ...found, value: variant };
  }
  if (best === undefined) return probeFinding(value);
  return { class: "sqli", score: best.signal.score, evidence: describe(best.value, best.signal, best.context) };
}

function catalogFinding(value: string): Finding {
  return { class: "sqli", score: 0.7, evidence: evidenceOf("system catalog named alone", value) };
}

/** Scanner probes that break a query without writing one (./probes.ts); they block at medium sensitivity. */
function probeFinding(value: string): Finding | undefined {
  if (isQuoteProbe(value)) return { class: "sqli", score: 0.7, evidence: evidenceOf("quote fuzz probe", value.slice(0, EVIDENCE_LENGTH)) };
  const run = findMixedQuoteRun(value);
  if (run === -1) return undefined;
  return { class: "sqli", score: 0.75, evidence: evidenceOf("mixed-quote breakout probe", value.slice(Math.max(0, run - 10), run + 40)) };
}

export const sqliDetector: Detector = { class: "sqli", detect: detectSqli };
