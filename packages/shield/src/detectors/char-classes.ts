/**
 * The character classes of a value, as one bitmask computed in a single pass
 * by the scan and shared by every detector's pre-filter: a detector that
 * declares `needs` (the classes its attacks cannot be written without) is
 * skipped for a value that has none of them. Most real values are words,
 * numbers and prose, so most detectors never run on them; computing the mask
 * once replaces one `indexOf` or regex test per detector per value.
 */

export const QUOTE = 1 << 0; // '
export const DOUBLE_QUOTE = 1 << 1; // "
export const SEMICOLON = 1 << 2;
export const PIPE = 1 << 3;
export const AMPERSAND = 1 << 4;
export const BACKTICK = 1 << 5;
export const DOLLAR = 1 << 6;
export const PAREN = 1 << 7; // ( )
export const BRACE = 1 << 8; // { }
export const ANGLE = 1 << 9; // < >
export const SLASH = 1 << 10;
export const BACKSLASH = 1 << 11;
export const COLON = 1 << 12;
export const DOT = 1 << 13;
/** `..` anywhere: a climb, or an ellipsis in prose. */
export const DOT_DOT = 1 << 14;
export const PERCENT = 1 << 15;
export const EQUALS = 1 << 16;
export const BRACKET = 1 << 17; // [ ]
export const WILDCARD = 1 << 18; // * ?
export const HASH = 1 << 19;
export const AT = 1 << 20;
export const BANG = 1 << 21;
/** Tab, newline, carriage return and every other control character (NUL, DEL). */
export const CONTROL = 1 << 22;
export const SPACE = 1 << 23;
export const PLUS = 1 << 24;
export const MINUS = 1 << 25;
export const UNDERSCORE = 1 << 26;
export const COMMA = 1 << 27;
export const NON_ASCII = 1 << 28;
/** `~ ^` and anything else printable that is neither a letter, a digit nor listed above. */
export const OTHER = 1 << 29;

/** Classes a "plain" value may have: prose, names, e-mail addresses, dates. Anything else is syntax. */
export const PLAIN_CLASSES = SPACE | UNDERSCORE | COMMA | AT | MINUS | PLUS | DOT | NON_ASCII;

const ASCII_CLASSES: Uint32Array = (() => {
  const table = new Uint32Array(128);
  for (let c = 0; c < 32; c++) table[c] = CONTROL;
  table[127] = CONTROL;
  for (let c = 33; c < 127; c++) table[c] = OTHER;
  for (let c = 48; c <= 57; c++) table[c] = 0;
  for (let c = 65; c <= 90; c++) table[c] = 0;
  for (let c = 97; c <= 122; c++) table[c] = 0;
  const named: readonly [string, number][] = [
    [" ", SPACE],
    ["'", QUOTE],
    ['"', DOUBLE_QUOTE],
    [";", SEMICOLON],
    ["|", PIPE],
    ["&", AMPERSAND],
    ["`", BACKTICK],
    ["$", DOLLAR],
    ["(", PAREN],
    [")", PAREN],
    ["{", BRACE],
    ["}", BRACE],
    ["<", ANGLE],
    [">", ANGLE],
    ["/", SLASH],
    ["\\", BACKSLASH],
    [":", COLON],
    [".", DOT],
    ["%", PERCENT],
    ["=", EQUALS],
    ["[", BRACKET],
    ["]", BRACKET],
    ["*", WILDCARD],
    ["?", WILDCARD],
    ["#", HASH],
    ["@", AT],
    ["!", BANG],
    ["+", PLUS],
    ["-", MINUS],
    ["_", UNDERSCORE],
    [",", COMMA],
  ];
  for (const [ch, bit] of named) table[ch.charCodeAt(0)] = bit;
  return table;
})();

/** Every class present in `value` (0 for letters and digits only). One pass, no allocation. */
export function charClassesOf(value: string): number {
  let mask = 0;
  let previous = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      mask |= ASCII_CLASSES[c] as number;
      if (c === 46 && previous === 46) mask |= DOT_DOT;
    } else mask |= NON_ASCII;
    previous = c;
  }
  return mask;
}

/**
 * A candidate's classes: the ones the plumbing computed, or computed now for a candidate built without them. A
 * value whose NULs canonicalization removed (`withNul`) keeps CONTROL, as the plumbing computes it.
 */
export function classesOf(candidate: {
  readonly canonical: string;
  readonly classes?: number | undefined;
  readonly withNul?: string | undefined;
}): number {
  return candidate.classes ?? charClassesOf(candidate.canonical) | (candidate.withNul === undefined ? 0 : CONTROL);
}
