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
import { decodeHtmlEntities } from "./html-entities.js";
import { findScriptSink } from "./script-sinks.js";
import { scoreTags } from "./tag-verdicts.js";
import { findScriptUrl } from "./url-schemes.js";

/** Without one of these characters a value can start no tag, attribute, URL or script. */
const XSS_CHARACTERS = /[<>"'`:=(\\]/;

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

function attributeVerdict(value: string): Verdict | undefined {
  let handlerWithCode: Verdict | undefined;
  EVENT_HANDLER.lastIndex = 0;
  for (let match = EVENT_HANDLER.exec(value); match !== null; match = EVENT_HANDLER.exec(value)) {
    if (closesAttributeBefore(value, match.index))
      return { score: 0.9, label: "attribute breakout into event handler", index: match.index };
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
  return { score: hit.brokeOut ? hit.score + 0.1 : hit.score, label: hit.brokeOut ? `JS breakout then ${hit.what}` : hit.what, index: hit.index };
}

function detectXss(candidate: Candidate): Finding | undefined {
  const value = decodeHtmlEntities(candidate.canonical);
  if (!XSS_CHARACTERS.test(value)) return undefined;
  let verdict: Verdict | undefined;
  if (value.includes("<")) verdict = scoreTags(value);
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, attributeVerdict(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, urlVerdict(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = better(verdict, scriptVerdict(value));
  if (verdict === undefined) return undefined;
  return { class: "xss", score: verdict.score, evidence: evidenceOf(verdict.label, value.slice(verdict.index, verdict.index + 80)) };
}

export const xssDetector: Detector = { class: "xss", detect: detectXss };
