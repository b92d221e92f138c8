/**
 * The US-ASCII trick (CVE-era IE, and any decoder that drops the high bit):
 * a page served as `charset=us-ascii` may be read 7 bits to a byte, so
 * `¼` (0xBC) becomes `<`, `¾` (0xBE) `>` and `¢` (0xA2) `"`. A filter that
 * looks for `<script>` sees `¼script¾` and lets it pass. The canonical form
 * cannot show this (NFKC turns `¼` into `1/4`), so the raw value is read.
 */

import { findTags } from "./html-tags.js";
import { decodeJsEscapes } from "./script-sinks.js";

/** `¼`, or a backslash that may start `\xbc`: one character-class scan, then the exact test. */
const HIGH_BIT_START = /[\u00bc\\]/;
/** `¼` itself, or `\xbc` as a literal escape, the way the bytes are often written into a payload. */
const ONE_QUARTER = /\u00bc|\\x[bB][cC]/;

/** Whether a raw value can hold a high-bit tag at all: the cheap test before any work. */
export function mayHoldHighBitMarkup(raw: string): boolean {
  return HIGH_BIT_START.test(raw) && ONE_QUARTER.test(raw);
}

/**
 * The value as a 7-bit reader sees its markup: `¼ ¾ ¢` become `< > "`, and
 * the other Latin-1 characters (the lead bytes of the same characters
 * encoded as UTF-8, `Â¼`) are dropped.
 */
export function sevenBitView(raw: string): string {
  const text = decodeJsEscapes(raw);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80 || code > 0xff) out += text[i];
    else if (code === 0xbc) out += "<";
    else if (code === 0xbe) out += ">";
    else if (code === 0xa2) out += '"';
  }
  return out;
}

/**
 * An element written in high-bit brackets: an opening tag closed later by
 * `¼/name¾`. A recipe's `¼cup … ¾cup` makes at most a stray opening tag,
 * never a matching end tag.
 */
export function findHighBitElement(raw: string): { readonly name: string; readonly index: number } | undefined {
  const opened = new Set<string>();
  for (const tag of findTags(sevenBitView(raw))) {
    if (!tag.terminated) continue;
    if (!tag.closing) opened.add(tag.name);
    else if (opened.has(tag.name)) return { name: tag.name, index: tag.start };
  }
  return undefined;
}
