/**
 * The two XSS payloads that need no markup character, so the scan would take
 * them for plain text (letters, digits, `. + - _`) and skip XSS:
 *  - UTF-7 markup: `+ADw-script+AD4-` is `<script>` to a page sniffed as
 *    UTF-7 (old IE), and the detector decodes it back (see ./index.ts);
 *  - a bare read of a DOM secret or of the page's location
 *    (`document.cookie`, `window.location`) sent as a whole value, for a
 *    template that drops it into a script unquoted.
 * `XSS_PLAIN_GATE` is the scan's gate: the precomputed classes decide first,
 * so words and prose without a `+` and a `-`, or without a `.`, pay one mask test.
 */

import { DOT, MINUS, PLUS } from "../char-classes.js";
import type { PlainGate } from "../types.js";

/** `+ADw-` `<`, `+AD4-` `>`, `+ACI-` `"`, `+ACc-` `'`: the UTF-7 spellings the detector decodes. */
const UTF7_MARKUP_CHARACTER = /\+A(?:Dw|D4|CI|Cc)-/;

/** Whether a value spells a markup character in UTF-7 (`C++ADvanced` does not). */
export function mayHoldUtf7Markup(value: string): boolean {
  return value.includes("+A") && UTF7_MARKUP_CHARACTER.test(value);
}

/** A value that starts with a property read on a browser global: the cheap, anchored pre-test, looser than the verdict below. */
const GLOBAL_PROPERTY = /^\s*(?:document|window|top|parent|self|opener|location)\s*\.\s*[a-z]/i;

/**
 * The whole value is one read of what an exploit steals or redirects: the
 * cookie, the origin, the location. Anchored at both ends, so prose that
 * mentions it ("see document.cookie docs") and files (`document.pdf`) pass.
 * Each quantifier applies to one character class: linear.
 */
const WHOLE_DOM_READ =
  /^\s*(?:(?:window|self|top|parent|opener)\s*\.\s*)?(?:document\s*\.\s*(?:cookie|domain|location|url|referrer)|location\s*\.\s*(?:href|hash|search|pathname|origin))\s*(?:;\s*)?$|^\s*(?:window|self|top|parent|opener)\s*\.\s*(?:location|name)\s*(?:;\s*)?$/i;

/** Where in the value a whole-value DOM read starts, or -1. */
export function findWholeDomRead(value: string): number {
  return value.length <= 80 && WHOLE_DOM_READ.test(value) ? value.search(/\S/) : -1;
}

/** The scan's gate for plain values and keys (see the file comment); `classes` are the value's precomputed classes. */
export function admitsPlainXss(value: string, classes: number): boolean {
  if ((classes & PLUS) !== 0) {
    if ((classes & MINUS) !== 0 && mayHoldUtf7Markup(value)) return true;
    // Base64 markup with a `+` in it (`PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+`); without one it is letters and digits, which the scan hands over itself.
    if (ENCODED_MARKUP_START.test(value)) return true;
  }
  if ((classes & DOT) === 0 || value.length > 80) return false;
  // A read of a browser global as the whole value, or concatenated into a string (`1+document.cookie+1`).
  return GLOBAL_PROPERTY.test(value) || ((classes & PLUS) !== 0 && CONCATENATED_GLOBAL.test(value));
}

/** Where base64 of `<` and a letter, `!` or `/` starts (see ./base64-markup.ts). */
const ENCODED_MARKUP_START = /(?:^|[^A-Za-z0-9+/])P[C-H][A-Za-z0-9+/]{10}/;

/** `+document.x`, `window.name +`: a global's property joined to a string on either side. One class per quantifier: linear. */
const CONCATENATED_GLOBAL =
  /\+\s*(?:document|window|top|parent|self|opener|location)\s*\.\s*[a-z]|(?:document|window|top|parent|self|opener|location)\s*\.\s*[a-z]+\s*\+/i;

export const XSS_PLAIN_GATE: PlainGate = { anyOf: PLUS | DOT, admits: admitsPlainXss };
