/**
 * Cross-site scripting detector. A value is dangerous if, reflected into a
 * page, it can run script in one of the contexts an app reflects into:
 *  - HTML content: a tag that runs or loads script (./html-tags.ts, scored here);
 *  - an HTML attribute: breaking out of the quotes into an event handler (./attribute-breakout.ts);
 *  - a URL attribute: a `javascript:`-like scheme (./url-schemes.ts);
 *  - a JS string: breaking out and calling a sink (./script-sinks.ts).
 * Encodings a browser or old engine undoes are read too: base64 markup
 * (./base64-markup.ts), US-ASCII high-bit brackets (./seven-bit.ts), UTF-7,
 * and bracketless DTD declarations (./dtd.ts). SVG images that only draw
 * (./svg-images.ts) are blanked out first.
 * Prose with `<` and `>` ("a < b", "<3", `Name <a@b.c>`) never forms a tag.
 */

import { isProseWithCodeSpans } from "../cmdi/prose-marks.js";
import { evidenceOf } from "../evidence.js";
import { higherScore } from "../score.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { findAttributeBreakout } from "./attribute-breakout.js";
import { decodeBase64Markup } from "./base64-markup.js";
import { findCss } from "./css.js";
import { findDtdDeclaration } from "./dtd.js";
import { decodeHtmlEntities } from "./html-entities.js";
import { findTags } from "./html-tags.js";
import { findWholeDomRead } from "./plain-shapes.js";
import { findDomAccess, findScriptSink } from "./script-sinks.js";
import { findHighBitElement, mayHoldHighBitMarkup, sevenBitView } from "./seven-bit.js";
import { withoutInertSvgImages } from "./svg-images.js";
import { closesCommentFirst, isXmlDocument, scoreRichText, scoreTags } from "./tag-verdicts.js";
import { findScriptUrl } from "./url-schemes.js";

/**
 * Without one of these characters a value can start no tag, attribute, URL
 * or script; only a bare property access (`window.location`) remains.
 */
const XSS_CHARACTERS = /[<>"'`:=(\\[{*$+]/;

interface Verdict {
  readonly score: number;
  readonly label: string;
  readonly index: number;
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

/**
 * "Exactly like your beloved `setTimeout`.", "the cookie in `document.cookie`.": Markdown code spans in prose (see
 * isProseWithCodeSpans) name code for a reader; their backticks are no template literal to break out of. Read
 * without them, so what a span holds still counts as written (`` `alert(1)` `` is a call).
 */
function withoutCodeSpanMarks(value: string): string {
  return value.includes("`") && isProseWithCodeSpans(value) ? value.replaceAll("`", " ") : value;
}

/**
 * What an XML attribute value may carry alone: `document.cookie`,
 * `window.location`. A top-level value gets the stricter whole-value test below.
 */
function domVerdict(value: string): Verdict | undefined {
  const hit = findDomAccess(value);
  return hit === undefined ? undefined : { score: hit.score, label: hit.what, index: hit.index };
}

/** A top-level value that is nothing but a DOM secret or location read (./plain-shapes.ts): the scan's gate lets it in. */
function wholeDomVerdict(value: string): Verdict | undefined {
  const index = findWholeDomRead(value);
  return index === -1 ? undefined : { score: 0.8, label: "DOM access as a whole value", index };
}

function cssVerdict(value: string): Verdict | undefined {
  const hit = findCss(value);
  return hit === undefined ? undefined : { score: hit.score, label: hit.what, index: hit.index };
}

/**
 * UTF-7 spells `<` as `+ADw-`: a page served without a charset and sniffed as
 * UTF-7 (old IE) decodes it back. Only the markup and call characters are decoded.
 */
const UTF7_MARKUP = /\+A(?:Dw|D4|CI|Cc|D0|Cg|Ck)-/g;
const UTF7_CHARACTERS: Readonly<Record<string, string>> = {
  "+ADw-": "<",
  "+AD4-": ">",
  "+ACI-": '"',
  "+ACc-": "'",
  // `=`, `(`, `)`: a handler written in UTF-7 (`onerror+AD0-alert+ACg-1+ACk-`) reads as one once decoded.
  "+AD0-": "=",
  "+ACg-": "(",
  "+ACk-": ")",
};

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
      verdict = higherScore(verdict, verdictOf(attribute.value, true));
    }
  }
  return verdict;
}

/**
 * Markup that only decoding reveals: base64 runs (a data URL's body sent on
 * its own). Only what runs script counts; base64 that decodes to formatting
 * is some app's encoded content.
 */
function encodedMarkupVerdict(value: string): Verdict | undefined {
  let verdict: Verdict | undefined;
  for (const markup of decodeBase64Markup(value)) {
    const tags = scoreTags(markup);
    if (tags !== undefined && tags.score >= 0.85) verdict = higherScore(verdict, { ...tags, label: `base64 of ${tags.label}`, index: 0 });
  }
  return verdict;
}

function dtdVerdict(value: string): Verdict | undefined {
  const hit = findDtdDeclaration(value);
  return hit === undefined ? undefined : { score: 0.75, label: hit.what, index: hit.index };
}

/** `¼script¾`: see ./seven-bit.ts. An element whose end tag matches is markup even when its name is unknown. */
function highBitVerdict(raw: string): Verdict | undefined {
  if (!mayHoldHighBitMarkup(raw)) return undefined;
  const tags = scoreTags(sevenBitView(raw));
  const element = findHighBitElement(raw);
  const paired = element === undefined ? undefined : { score: 0.8, label: `<${element.name}> in high-bit brackets`, index: 0 };
  return higherScore(tags === undefined ? undefined : { ...tags, label: `high-bit ${tags.label}`, index: 0 }, paired);
}

/**
 * One scan screens most values out: beyond the XSS characters, only `!` and
 * `#` (a bracketless DTD declaration: `!ENTITY`, `#REQUIRED`) let a value in.
 */
const SCREEN = /[<>"'`:=(\\[{*$+!#]/;

/**
 * The verdict on one value. `nested` is set for an XML attribute value
 * checked on its own, which may be a bare DOM access (`window.location`).
 */
function verdictOf(value: string, nested: boolean): Verdict | undefined {
  if (!SCREEN.test(value)) return nested ? domVerdict(value) : wholeDomVerdict(value);
  let verdict = dtdVerdict(value);
  if (!XSS_CHARACTERS.test(value)) return nested ? higherScore(verdict, domVerdict(value)) : verdict;
  // A namespace declaration (`xmlns:svg="…"`) arrives without its tag's `<` when the app supplies it.
  if (value.includes("<") || XMLNS.test(value)) verdict = higherScore(verdict, scoreTags(value));
  if (value.includes("--")) verdict = higherScore(verdict, closesCommentFirst(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = higherScore(verdict, findAttributeBreakout(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = higherScore(verdict, urlVerdict(value));
  if ((verdict?.score ?? 0) < 0.9) verdict = higherScore(verdict, scriptVerdict(withoutCodeSpanMarks(value)));
  if ((verdict?.score ?? 0) < 0.85) verdict = higherScore(verdict, cssVerdict(value));
  if ((verdict?.score ?? 0) < 0.85) verdict = higherScore(verdict, encodedMarkupVerdict(value));
  if (!nested && (verdict?.score ?? 0) < 0.9 && isXmlDocument(value)) verdict = higherScore(verdict, xmlAttributeVerdict(value));
  return verdict;
}

function detectXss(candidate: Candidate): Finding | undefined {
  // A logo or icon sent as an SVG data URL is a document that could run script; one that draws only is data.
  const value = withoutInertSvgImages(decodeUtf7Markup(decodeHtmlEntities(candidate.canonical)));
  let verdict = verdictOf(value, false);
  // `¼` and `\xbc` never survive canonicalization unchanged: an unchanged value cannot hold them.
  if (candidate.raw !== candidate.canonical) verdict = higherScore(verdict, highBitVerdict(candidate.raw));
  if (verdict === undefined) return undefined;
  return { class: "xss", score: verdict.score, evidence: evidenceOf(verdict.label, value.slice(verdict.index, verdict.index + 80)) };
}

export const xssDetector: Detector = { class: "xss", detect: detectXss };

/**
 * The XSS finding on a value the app declared rich text (`shield({ richText })`): HTML an editor produced,
 * judged as a sanitizer would (see scoreRichText). Read from the value as received, not its canonical form:
 * the app renders that text as markup, so `&lt;b&gt;` stays text and `%3Cscript%3E` stays letters.
 */
export function detectRichTextXss(raw: string): Finding | undefined {
  const verdict = scoreRichText(raw);
  if (verdict === undefined) return undefined;
  return {
    class: "xss",
    score: verdict.score,
    evidence: evidenceOf(`rich text: ${verdict.label}`, raw.slice(verdict.index, verdict.index + 80)),
  };
}
