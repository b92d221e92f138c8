/**
 * Cross-site scripting detector. A value is dangerous if, reflected into a
 * page, it can run script in one of the contexts an app reflects into:
 *  - HTML content: a tag that runs or loads script (./html-tags.ts, scored here);
 *  - an HTML attribute: breaking out of the quotes into an event handler;
 *  - a URL attribute: a `javascript:`-like scheme (./url-schemes.ts);
 *  - a JS string: breaking out and calling a sink (./script-sinks.ts).
 * Prose with `<` and `>` ("a < b", "<3", `Name <a@b.c>`) never forms a tag.
 */

import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { findCss } from "./css.js";
import { decodeHtmlEntities } from "./html-entities.js";
import { findTags } from "./html-tags.js";
import { findScriptSink } from "./script-sinks.js";
import { isXmlDocument, scoreTags } from "./tag-verdicts.js";
import { findScriptUrl } from "./url-schemes.js";

/** Without one of these characters a value can start no tag, attribute, URL or script. */
const XSS_CHARACTERS = /[<>"'`:=(\\[{*$+]/;

/** An event handler attribute, `onload=`, `onmouseover =`. Linear: each match starts after a non-word character. */
const EVENT_HANDLER = /\bon[a-z]{3,}\s*=/gi;
/** What follows a handler in an attack: a call, a template call, an assignment, a property access. */
const HANDLER_CODE = /^\s*["'`]?\s*[^\s"'`>]{0,40}?[(`=.]/;
/** How far back to look for the quote an attribute breakout closes; one extra attribute (`autofocus`) fits. */
const BREAKOUT_LOOKBEHIND = 64;

function isSpaceOrSlash(char: string | undefined): boolean {
  return char === " " || char === "\t" || char === "\n" || char === "\r" || char === "\f" || char === "/";
}

function isQuote(char: string | undefined): boolean {
  return char === '"' || char === "'" || char === "`";
}

/**
 * `" onmouseover="…`, `' autofocus onfocus='…`, `x/onerror=…`: the handler
 * sits after a quote (possibly after one more attribute), i.e. outside the
 * attribute value the app placed the input in.
 */
function closesAttributeBefore(value: string, handlerIndex: number): boolean {
  const floor = Math.max(0, handlerIndex - BREAKOUT_LOOKBEHIND);
  let i = handlerIndex - 1;
  if (isQuote(value[i])) return true;
  if (!isSpaceOrSlash(value[i])) return false;
  for (let attributesSkipped = 0; attributesSkipped <= 1; attributesSkipped++) {
    while (i >= floor && isSpaceOrSlash(value[i])) i--;
    if (isQuote(value[i])) return true;
    while (i >= floor && !isSpaceOrSlash(value[i]) && !isQuote(value[i])) i--;
    if (isQuote(value[i])) return true;
  }
  return false;
}

/** How far back an open tag may start before a handler: a few attributes' worth. */
const OPEN_TAG_LOOKBEHIND = 128;

/** `<x </onxxx=1`, `<a b c onclick=…`: the handler sits after a `<` and a letter, with no `>` in between. */
function insideOpenTag(value: string, handlerIndex: number): boolean {
  const floor = Math.max(0, handlerIndex - OPEN_TAG_LOOKBEHIND);
  for (let i = handlerIndex - 1; i >= floor; i--) {
    const char = value[i];
    if (char === ">") return false;
    if (char === "<") return /[a-z/]/i.test(value[i + 1] ?? "");
  }
  return false;
}

function attributeVerdict(value: string): Verdict | undefined {
  let handlerWithCode: Verdict | undefined;
  EVENT_HANDLER.lastIndex = 0;
  for (let match = EVENT_HANDLER.exec(value); match !== null; match = EVENT_HANDLER.exec(value)) {
    if (closesAttributeBefore(value, match.index))
      return { score: 0.9, label: "attribute breakout into event handler", index: match.index };
    if (insideOpenTag(value, match.index)) return { score: 0.85, label: "event handler inside a tag", index: match.index };
    if (
      handlerWithCode === undefined &&
      HANDLER_CODE.test(value.slice(match.index + match[0].length, match.index + match[0].length + 48))
    ) {
      handlerWithCode = { score: 0.85, label: "event handler with code", index: match.index };
    }
  }
  return handlerWithCode;
}

interface Verdict {
  readonly score: number;
  readonly label: string;
  readonly index: number;
}

function better(current: Verdict | undefined, next: Verdict | undefined): Verdict | undefined {
  if (next === undefined) return current;
  return current === undefined || next.score > current.score ? next : current;
}

function urlVerdict(value: string): Verdict | undefined {
  const hit = findScriptUrl(value);
  // Outside a tag, "javascript: the good parts" is a book title; only code after the scheme makes it a URL payload.
  if (hit === undefined || !hit.withCode) return undefined;
  return { score: 0.9, label: `script URL ${hit.scheme}`, index: 0 };
}

function scriptVerdict(value: string): Verdict | undefined {
  const hit = findScriptSink(value);
  if (hit === undefined) return undefined;
  return {
    score: hit.brokeOut ? Math.round(Math.min(0.9, hit.score + 0.1) * 100) / 100 : hit.score,
    label: hit.brokeOut ? `JS breakout then ${hit.what}` : hit.what,
    index: hit.index,
  };
}

function cssVerdict(value: string): Verdict | undefined {
  const hit = findCss(value);
  return hit === undefined ? undefined : { score: hit.score, label: hit.what, index: hit.index };
}

/**
 * UTF-7 spells `<` as `+ADw-`: a page served without a charset and sniffed as
 * UTF-7 (old IE) decodes it back. Only the markup characters are decoded.
 */
const UTF7_MARKUP = /\+A(?:Dw|D4|CI|Cc)-/g;
const UTF7_CHARACTERS: Readonly<Record<string, string>> = { "+ADw-": "<", "+AD4-": ">", "+ACI-": '"', "+ACc-": "'" };

function decodeUtf7Markup(value: string): string {
  if (!value.includes("+A")) return value;
  return value.replace(UTF7_MARKUP, (match) => UTF7_CHARACTERS[match] ?? match);
}

const XMLNS = /xmlns/i;

/** Bound on the attribute values of an XML document checked one by one; a hostile body cannot multiply the work. */
const MAX_XML_ATTRIBUTES = 256;

/**
 * In an XML document (a SOAP or feed body) the elements are data; a payload
 * sits in attribute values the app may reflect, so each is checked as a value
 * of its own (the tag scoring skips the document's own plain elements).
 */
function xmlAttributeVerdict(value: string): Verdict | undefined {
  let verdict: Verdict | undefined;
  let checked = 0;
  for (const tag of findTags(value)) {
    for (const attribute of tag.attributes) {
      if (checked++ >= MAX_XML_ATTRIBUTES) return verdict;
      verdict = better(verdict, verdictOf(attribute.value, false));
    }
  }
  return verdict;
}

function verdictOf(value: string, nestedAllowed: boolean): Verdict | undefined {
  if (!XSS_CHARACTERS.test(value)) return undefined;
  let verdict: Verdict | undefined;
  // A namespace declaration (`xmlns:svg="…"`) arrives without its tag's `<` when the app supplies it.
  if (value.includes("<") || XMLNS.test(value)) verdict = scoreTags(value);
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, attributeVerdict(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, urlVerdict(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, scriptVerdict(value));
  if ((verdict?.score ?? 0) < 0.85) verdict = better(verdict, cssVerdict(value));
  if (nestedAllowed && (verdict?.score ?? 0) < 0.9 && isXmlDocument(value)) verdict = better(verdict, xmlAttributeVerdict(value));
  return verdict;
}

function detectXss(candidate: Candidate): Finding | undefined {
  const value = decodeUtf7Markup(decodeHtmlEntities(candidate.canonical));
  const verdict = verdictOf(value, true);
  if (verdict === undefined) return undefined;
  return { class: "xss", score: verdict.score, evidence: evidenceOf(verdict.label, value.slice(verdict.index, verdict.index + 80)) };
}

export const xssDetector: Detector = { class: "xss", detect: detectXss };
