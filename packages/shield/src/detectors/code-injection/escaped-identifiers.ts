/**
 * Identifiers spelled with JavaScript escapes (`c\u006fnsole.info(1)`,
 * `_$$\u004e\u0044_FUNC$$_`). The shield reads the value with the escapes
 * undone, but their presence in the value as received says something on its
 * own: JavaScript accepts `\uXXXX` inside an identifier, people never type an
 * escaped ASCII letter, and filters that look for `console` miss it. A code
 * signal found where the received value escapes a letter is therefore no
 * mention.
 */

/** `\u0041`–`\u005a`, `\u0061`–`\u007a` and the `\u{…}` forms of the same letters. */
const ESCAPED_ASCII_LETTER = /\\u(?:00(?:[46][1-9a-fA-F]|[57][0-9aA])|\{0{0,4}(?:[46][1-9a-fA-F]|[57][0-9aA])\})/;

export function escapesAsciiLetter(raw: string): boolean {
  return raw.indexOf("\\u") !== -1 && ESCAPED_ASCII_LETTER.test(raw);
}
