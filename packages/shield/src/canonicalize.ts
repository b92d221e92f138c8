/**
 * Canonicalization: undo the encodings attackers layer on a payload so that
 * detectors match one form. WAF bypasses rely on the gap between what the
 * filter sees and what the application finally decodes (double URL-encoding,
 * overlong UTF-8 `%c0%af`, `%u002f`, HTML entities, `\u006a` escapes,
 * full-width letters), so we decode until the value stops changing.
 *
 * Every step is a single left-to-right pass; the number of rounds is bounded,
 * so the whole function is linear in the input.
 */

/** Rounds of decoding: enough for triple encoding plus one entity layer, bounded so a value cannot make us loop. */
const MAX_ROUNDS = 4;

/** Characters that start an encoding we undo; a value without any is returned unchanged (the hot path). */
function needsWork(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // % & \ NUL, and anything beyond ASCII (full-width forms, overlong results).
    if (c === 37 || c === 38 || c === 92 || c === 0 || c > 126) return true;
  }
  return false;
}

export function canonicalize(raw: string): string {
  return needsWork(raw) ? withoutNul(decodeAndFold(raw)) : raw;
}

/**
 * The canonical form with its NULs kept. Removing a NUL is one reading of it: a shell drops it, and
 * `passwd%00.png` must read as `passwd.png` to see what an extension check saw. A detector whose target reads a
 * NUL otherwise (whitespace to Oracle, the end of the query to a C-string driver, the end of the command to
 * `system()`) reads this form, which the plumbing keeps as `Candidate.withNul` when it holds a NUL.
 */
export function canonicalizeKeepingNul(raw: string): string {
  return needsWork(raw) ? decodeAndFold(raw) : raw;
}

function decodeAndFold(raw: string): string {
  let current = raw;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decodeEntitiesAndEscapes(percentDecode(current));
    if (next === current) break;
    current = next;
  }
  return foldUnicode(current);
}

/** `canonicalizeKeepingNul`'s result made canonical: the NULs removed. */
export function withoutNul(value: string): string {
  return value.indexOf("\0") === -1 ? value : value.replaceAll("\0", "");
}

/**
 * `percentDecode` until the value stops changing, for at most as many rounds
 * as `canonicalize` takes: the URL decoding alone, for a detector that needs
 * what the other canonical steps remove (a NUL, see the SSRF detector).
 */
export function percentDecodeRounds(value: string): string {
  let current = value;
  for (let round = 0; round < MAX_ROUNDS && current.indexOf("%") !== -1; round++) {
    const next = percentDecode(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * Decodes `%XX` runs as UTF-8, accepting overlong forms (`%c0%af` is "/"):
 * old IIS and Tomcat did, which is why they appear in traversal payloads.
 * `%uXXXX` (IIS) is decoded too. Invalid escapes are kept as written.
 */
export function percentDecode(value: string): string {
  if (value.indexOf("%") === -1) return value;
  let out = "";
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c !== 37) {
      const next = value.indexOf("%", i);
      const end = next === -1 ? n : next;
      out += value.slice(i, end);
      i = end;
      continue;
    }
    if ((value.charCodeAt(i + 1) | 32) === 117) {
      const code = hex(value, i + 2, 4);
      if (code >= 0) {
        out += String.fromCharCode(code);
        i += 6;
        continue;
      }
    }
    const bytes: number[] = [];
    let j = i;
    while (j + 2 < n && value.charCodeAt(j) === 37) {
      const b = hex(value, j + 1, 2);
      if (b < 0) break;
      bytes.push(b);
      j += 3;
    }
    if (bytes.length === 0) {
      out += "%";
      i += 1;
      continue;
    }
    out += decodeUtf8Lenient(bytes, value.slice(i, j), value.charCodeAt(j));
    i = j;
  }
  return out;
}

function hex(value: string, start: number, length: number): number {
  if (start + length > value.length) return -1;
  let result = 0;
  for (let k = start; k < start + length; k++) {
    const c = value.charCodeAt(k);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else return -1;
    result = result * 16 + d;
  }
  return result;
}

/**
 * `%c0%2e` is "." to a decoder that takes the low six bits of the byte after
 * a lead without checking its top bits (fuzzdb's "exotic" traversals rely on
 * it). Only for the leads 0xc0 and 0xc1, which begin nothing but overlong
 * forms, and a second byte below 0x40, whose low six bits are the byte itself:
 * `%c0%2e` ".", `%c0%2f` "/".
 */
function isSloppyOverlong(lead: number, next: number): boolean {
  return (lead === 0xc0 || lead === 0xc1) && next < 0x40;
}

/**
 * A byte that begins no UTF-8 sequence right before a quote: the lead byte of a two-byte character in GBK, Big5 or
 * Shift_JIS (`%bf%27`, sqlmap's unmagicquotes). An application that escapes the quote as `\'` gives the database
 * `%bf%5c'`, one wide character and a bare quote: the byte is there to swallow the escape. (Not before a backslash:
 * `%c0%5c` is no separator to any decoder, and must not become one here.)
 */
function isQuoteEatingByte(byte: number, next: number): boolean {
  return byte >= 0x80 && (next === 0x27 || next === 0x22);
}

/**
 * UTF-8 without the overlong check; a byte that fits nothing is kept as its `%XX` text, except a multibyte lead
 * before a quote (isQuoteEatingByte), dropped so the quote reads as what the database sees. `following` is the
 * character code just after the run.
 */
function decodeUtf8Lenient(bytes: readonly number[], original: string, following: number): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need = 0;
    let cp = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (b >= 0xc0 && b < 0xe0) {
      need = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b < 0xf0) {
      need = 2;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b < 0xf8) {
      need = 3;
      cp = b & 0x07;
    }
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const cont = bytes[i + k];
      if (cont === undefined) ok = false;
      else if ((cont & 0xc0) === 0x80 || isSloppyOverlong(b, cont)) cp = (cp << 6) | (cont & 0x3f);
      else ok = false;
    }
    if (ok && cp <= 0x10ffff) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else if (isQuoteEatingByte(b, i + 1 < bytes.length ? (bytes[i + 1] as number) : following)) {
      i++;
    } else {
      out += original.slice(i * 3, i * 3 + 3);
      i++;
    }
  }
  return out;
}

/**
 * Named entities that matter for payloads: the ones that spell syntax. HTML5
 * accepts several without the closing ";", so it is optional here too.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  amp: "&",
  lcub: "{",
  rcub: "}",
  lbrace: "{",
  rbrace: "}",
  lpar: "(",
  rpar: ")",
  lsqb: "[",
  rsqb: "]",
  lbrack: "[",
  rbrack: "]",
  colon: ":",
  semi: ";",
  sol: "/",
  bsol: "\\",
  period: ".",
  comma: ",",
  dollar: "$",
  excl: "!",
  num: "#",
  percnt: "%",
  equals: "=",
  grave: "`",
  vert: "|",
  verbar: "|",
  tab: "\t",
  newline: "\n",
  nbsp: " ",
};
const LONGEST_ENTITY = 7;

/** HTML entities (`&#x2f;`, `&lt;`, `&lcub`) and JavaScript escapes (`\u006a`, `\x2f`, `\u{6a}`). */
function decodeEntitiesAndEscapes(value: string): string {
  if (value.indexOf("&") === -1 && value.indexOf("\\") === -1) return value;
  let out = "";
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 38) {
      const decoded = entityAt(value, i);
      if (decoded) {
        out += decoded.text;
        i = decoded.end;
        continue;
      }
    } else if (c === 92) {
      const decoded = escapeAt(value, i);
      if (decoded) {
        out += decoded.text;
        i = decoded.end;
        continue;
      }
    }
    out += value[i];
    i++;
  }
  return out;
}

interface Decoded {
  readonly text: string;
  readonly end: number;
}

function entityAt(value: string, at: number): Decoded | undefined {
  let i = at + 1;
  if (value.charCodeAt(i) === 35) {
    i++;
    const isHex = (value.charCodeAt(i) | 32) === 120;
    if (isHex) i++;
    const start = i;
    // Leading zeros (`&#0000060`) are a known filter bypass: skip them all, then read at most eight digits.
    while (value.charCodeAt(i) === 48) i++;
    const digitsStart = i;
    let code = 0;
    while (i < value.length && i - digitsStart < 8) {
      const d = isHex ? hex(value, i, 1) : digit(value.charCodeAt(i));
      if (d < 0) break;
      code = code * (isHex ? 16 : 10) + d;
      i++;
    }
    if (i === start || code > 0x10ffff) return undefined;
    if (value.charCodeAt(i) === 59) i++;
    return { text: String.fromCodePoint(code), end: i };
  }
  let name = "";
  while (name.length < LONGEST_ENTITY && i < value.length) {
    const ch = value.charCodeAt(i) | 32;
    if (ch < 97 || ch > 122) break;
    name += String.fromCharCode(ch);
    i++;
  }
  for (let len = name.length; len >= 2; len--) {
    const text = ENTITIES[name.slice(0, len)];
    if (text !== undefined) {
      let end = at + 1 + len;
      if (value.charCodeAt(end) === 59) end++;
      return { text, end };
    }
  }
  return undefined;
}

function digit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : -1;
}

function escapeAt(value: string, at: number): Decoded | undefined {
  const kind = value.charCodeAt(at + 1);
  if (kind === 117) {
    if (value.charCodeAt(at + 2) === 123) {
      const close = value.indexOf("}", at + 3);
      if (close > at + 3 && close - at <= 10) {
        const code = hex(value, at + 3, close - at - 3);
        if (code >= 0 && code <= 0x10ffff) return { text: String.fromCodePoint(code), end: close + 1 };
      }
      return undefined;
    }
    const code = hex(value, at + 2, 4);
    return code >= 0 ? { text: String.fromCharCode(code), end: at + 6 } : undefined;
  }
  if (kind === 120) {
    const code = hex(value, at + 2, 2);
    return code >= 0 ? { text: String.fromCharCode(code), end: at + 4 } : undefined;
  }
  return undefined;
}

/**
 * NFKC folds full-width and compatibility forms (`＜`, `①`) to ASCII; a few
 * slash look-alikes that NFKC leaves alone are mapped by hand because path
 * normalizers in some stacks do fold them. NUL is kept here and removed by
 * `withoutNul`.
 */
function foldUnicode(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 126) {
      ascii = false;
      break;
    }
  }
  return ascii ? value : value.normalize("NFKC").replace(SLASH_LOOKALIKES, (ch) => (ch === "\u2216" || ch === "\ufe68" ? "\\" : "/"));
}

const SLASH_LOOKALIKES = /[\u2215\u2044\u29f8\u2216\ufe68]/g;
