/**
 * SQL injection detector. A value is dangerous if, spliced into a query in any
 * of the places an application could put it (a numeric position, a
 * single-quoted literal, a double-quoted literal), it changes the query's
 * structure. Each context is tokenized (./tokenizer.ts) and the token stream
 * classified (./classify.ts); the strongest signal wins.
 */

import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { findTags } from "../xss/html-tags.js";
import { isXmlDocument } from "../xss/tag-verdicts.js";
import { type Context, classify, type SqlSignal } from "./classify.js";
import { findMixedQuoteRun, isQuoteProbe } from "./probes.js";
import { tokenize } from "./tokenizer.js";

const CONTEXTS: readonly Context[] = ["", "'", '"'];

/**
 * Cheap gate: a value with none of these cannot change a query. Most benign
 * values (names, numbers, ids) stop here without allocating. The word list
 * holds the SQL words every finding needs at least one of when there is no
 * punctuation.
 */
const SQL_PUNCTUATION = /['"`();#=<>|&@*\\]|--|\/\*/;
const SQL_WORDS =
  /\b(?:and|or|xor|union|select|order|group|having|where|sleep|waitfor|benchmark|exec|execute|declare|drop|insert|delete|update|into|(?:xp|sp)_[a-z]+)\b/i;

const TYPOGRAPHIC_QUOTES = /[\u2018\u2019\u201c\u201d]/;
const TYPOGRAPHIC_QUOTES_ALL = /[\u2018\u2019\u201c\u201d]/g;

/** Evidence is log-safe and short, per the Finding contract. */
const EVIDENCE_LENGTH = 80;

function mightBeSql(value: string): boolean {
  return SQL_PUNCTUATION.test(value) || SQL_WORDS.test(value);
}

/**
 * Variants of the value a database could see: as is, and with `+` read as a
 * space (a form-encoded space the plumbing may not have decoded, and a common
 * way to write `'+OR+1=1` without spaces).
 */
function variantsOf(value: string): string[] {
  const variants = [value];
  if (value.includes("+") && !value.includes(" ")) variants.push(value.replaceAll("+", " "));
  // Some database character-set conversions turn typographic quotes into ASCII ones.
  if (TYPOGRAPHIC_QUOTES.test(value))
    variants.push(value.replace(TYPOGRAPHIC_QUOTES_ALL, (q) => (q === "\u201c" || q === "\u201d" ? '"' : "'")));
  return variants;
}

function strongest(value: string): { signal: SqlSignal; context: Context } | undefined {
  let best: { signal: SqlSignal; context: Context } | undefined;
  for (const context of CONTEXTS) {
    if (context !== "" && !value.includes(context)) continue;
    const signal = classify(tokenize(value, context), context);
    if (signal !== undefined && (best === undefined || signal.score > best.signal.score)) best = { signal, context };
  }
  return best;
}

function describe(value: string, signal: SqlSignal, context: Context): string {
  const where = context === "" ? "raw" : context === "'" ? "in '…'" : 'in "…"';
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
      const found = detectValue(attribute.value);
      if (found !== undefined && (best === undefined || found.score > best.score)) best = found;
    }
  }
  return best;
}

function detectSqli(candidate: Candidate): Finding | undefined {
  const value = candidate.canonical;
  const direct = detectValue(value);
  if ((direct?.score ?? 0) < 0.9 && isXmlDocument(value)) {
    const nested = detectInXmlAttributes(value);
    if (nested !== undefined && nested.score > (direct?.score ?? 0)) return nested;
  }
  return direct;
}

function detectValue(value: string): Finding | undefined {
  if (value.length === 0 || !mightBeSql(value)) return undefined;
  let best: { signal: SqlSignal; context: Context; value: string } | undefined;
  for (const variant of variantsOf(value)) {
    const found = strongest(variant);
    if (found !== undefined && (best === undefined || found.signal.score > best.signal.score)) best = { ...found, value: variant };
  }
  if (best === undefined) return probeFinding(value);
  return { class: "sqli", score: best.signal.score, evidence: describe(best.value, best.signal, best.context) };
}

/** Scanner probes that break a query without writing one (./probes.ts); they block at medium sensitivity. */
function probeFinding(value: string): Finding | undefined {
  if (isQuoteProbe(value)) return { class: "sqli", score: 0.7, evidence: evidenceOf("quote fuzz probe", value.slice(0, EVIDENCE_LENGTH)) };
  const run = findMixedQuoteRun(value);
  if (run === -1) return undefined;
  return { class: "sqli", score: 0.75, evidence: evidenceOf("mixed-quote breakout probe", value.slice(Math.max(0, run - 10), run + 40)) };
}

export const sqliDetector: Detector = { class: "sqli", detect: detectSqli };
