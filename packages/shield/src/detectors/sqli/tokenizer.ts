/**
 * A small SQL lexer in the spirit of libinjection: it turns a value into the
 * token kinds a query parser would see, so the classifier can reason about
 * grammar (a string closed, then a logic operator, then a comparison) instead
 * of matching text. It never fails: any byte it does not understand becomes an
 * `other` token. One left-to-right pass, no backtracking.
 */

import { KEYWORDS, LOGIC_WORDS, OPERATOR_WORDS } from "./vocabulary.js";

export type TokenKind =
  | "string"
  | "number"
  | "keyword"
  | "function"
  | "bareword"
  | "variable"
  | "logic"
  | "operator"
  | "comment"
  | "open"
  | "close"
  | "comma"
  | "semicolon"
  | "other";

export interface Token {
  readonly kind: TokenKind;
  /** Lower-cased text (for strings: the content without quotes). */
  readonly text: string;
  readonly start: number;
  /** For strings: whether the closing quote was found in the value. */
  readonly closed: boolean;
}

/**
 * Whitespace between tokens: what MySQL, MSSQL and PostgreSQL accept, and
 * every other C0 control, which SQL Server skips as a blank (sqlmap's
 * space2mssqlblank sends `%01`…`%0F` for spaces) and no text field carries.
 */
function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0xa0;
}

function isWordStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x24 || code > 0x7f;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || isDigit(code) || code === 0x2e;
}

/** PostgreSQL's JSON and containment operators (`<@`, `@>`, `->`, `?|`) included: they compare as `=` does. */
const TWO_CHAR_OPERATORS = new Set([
  "<>",
  "!=",
  "<=",
  ">=",
  "||",
  "&&",
  "::",
  ":=",
  "==",
  "<<",
  ">>",
  "!<",
  "!>",
  "<@",
  "@>",
  "@?",
  "->",
  "?|",
  "?&",
]);

/**
 * Tokenizes `input` as if it were spliced into a query right after `openQuote`
 * (the context: `'` for a single-quoted literal, `"` for a double-quoted one,
 * `` ` `` for a MySQL quoted identifier, "" for a raw numeric position).
 */
export function tokenize(input: string, openQuote: "" | "'" | '"' | "`"): Token[] {
  const lower = input.toLowerCase();
  const tokens: Token[] = [];
  const length = lower.length;
  let i = 0;
  // MySQL runs the body of `/*!50000 ... */` as SQL: remember to ignore its closing `*/`.
  let inExecutableComment = false;
  // ODBC escapes `{fn user()}`, `{x 1}` opened and not yet closed: their `}` is skipped too.
  let openEscapes = 0;
  let dollarQuotes = true;

  if (openQuote !== "") {
    const end = findStringEnd(lower, 0, openQuote);
    tokens.push({ kind: "string", text: lower.slice(0, end.contentEnd), start: 0, closed: end.closed });
    i = end.next;
  }

  while (i < length) {
    const code = lower.charCodeAt(i);
    const char = lower[i] as string;
    const next = lower[i + 1] ?? "";
    if (isSpace(code)) {
      i++;
      continue;
    }
    const start = i;
    // `E'\x27'` (PostgreSQL's escape string), `N'x'` (SQL Server's national string), `X'41'`, `B'01'`: a literal with
    // its one-letter prefix. `don't` is not one: the prefix must stand alone, not end a word.
    const quoteAt = char === "'" || char === '"' ? i : next === "'" && STRING_PREFIXES.has(char) ? i + 1 : -1;
    if (quoteAt !== -1) {
      const quote = lower[quoteAt] as string;
      const end = findStringEnd(lower, quoteAt + 1, quote);
      tokens.push({ kind: "string", text: lower.slice(quoteAt + 1, end.contentEnd), start, closed: end.closed });
      i = end.next;
      continue;
    }
    if (char === "$" && next === "$" && dollarQuotes) {
      // PostgreSQL's dollar quoting, `$$text$$`: a string written without a quote character. Once no closing `$$`
      // is left, none is looked for again (`$$$ deal`), so the searches read the value once.
      const close = lower.indexOf("$$", i + 2);
      if (close !== -1) {
        tokens.push({ kind: "string", text: lower.slice(i + 2, close), start, closed: true });
        i = close + 2;
        continue;
      }
      dollarQuotes = false;
    }
    if (char === "\\" && next === "n") {
      // MySQL reads `\N` as NULL, glued to what follows: `\NUNION SELECT 2` is `NULL UNION SELECT 2`.
      tokens.push({ kind: "keyword", text: "null", start, closed: true });
      i += 2;
      continue;
    }
    if (char === "{") {
      // An ODBC escape, `{fn user()}`, `{x 1}`, `{ts 1}`: MySQL evaluates the expression after the word, so the
      // braces and the word hide nothing from it.
      const body = odbcEscapeBody(lower, i);
      if (body !== -1) {
        openEscapes++;
        i = body;
        continue;
      }
    }
    if (char === "}" && openEscapes > 0) {
      openEscapes--;
      i++;
      continue;
    }
    if (char === "`") {
      // MySQL quoted identifier.
      const close = lower.indexOf("`", i + 1);
      const end = close === -1 ? length : close;
      tokens.push({ kind: "bareword", text: lower.slice(i + 1, end), start, closed: close !== -1 });
      i = end + 1;
      continue;
    }
    if (isDigit(code) || (char === "." && isDigit(next.charCodeAt(0)))) {
      i = readNumber(lower, i);
      tokens.push({ kind: "number", text: lower.slice(start, i), start, closed: true });
      continue;
    }
    if (isWordStart(code)) {
      i = readWord(lower, i, tokens, start);
      continue;
    }
    if (char === "@" && next !== ">" && next !== "?") {
      let j = i + 1;
      if (lower[j] === "@") j++;
      while (j < length && isWordPart(lower.charCodeAt(j))) j++;
      tokens.push({ kind: "variable", text: lower.slice(i, j), start, closed: true });
      i = j;
      continue;
    }
    if (char === "#" || (char === "-" && next === "-")) {
      // A line comment runs to the end of its line: its text is the marker and the rest of the line. SQL goes on
      // after the newline, so `1--x\nAND--x\n1=1` (sqlmap's space2dash) is `1 AND 1=1`.
      const end = lineEnd(lower, i + 1);
      tokens.push({ kind: "comment", text: lower.slice(i, end), start, closed: true });
      i = end;
      continue;
    }
    if (char === "/" && next === "*") {
      if (lower[i + 2] === "!") {
        // `/*!` or `/*!50000`: executable comment, tokenize its body as SQL.
        let j = i + 3;
        while (j < length && isDigit(lower.charCodeAt(j))) j++;
        tokens.push({ kind: "comment", text: "/*!", start, closed: true });
        inExecutableComment = true;
        i = j;
        continue;
      }
      const close = lower.indexOf("*/", i + 2);
      tokens.push({ kind: "comment", text: "/*", start, closed: close !== -1 });
      i = close === -1 ? length : close + 2;
      continue;
    }
    if (char === "*" && next === "/" && inExecutableComment) {
      inExecutableComment = false;
      i += 2;
      continue;
    }
    if (char === "(" || char === ")" || char === "," || char === ";") {
      const kind = char === "(" ? "open" : char === ")" ? "close" : char === "," ? "comma" : "semicolon";
      tokens.push({ kind, text: char, start, closed: true });
      i++;
      continue;
    }
    const pair = char + next;
    if (TWO_CHAR_OPERATORS.has(pair)) {
      const kind = pair === "||" || pair === "&&" ? "logic" : "operator";
      const three = pair + (lower[i + 2] ?? "");
      const width = three === "<=>" || three === "->>" ? 3 : 2;
      tokens.push({ kind, text: lower.slice(i, i + width), start, closed: true });
      i += width;
      continue;
    }
    if ("=<>+-*/%&|^~!?".includes(char)) {
      tokens.push({ kind: "operator", text: char, start, closed: true });
      i++;
      continue;
    }
    tokens.push({ kind: "other", text: char, start, closed: true });
    i++;
  }
  return tokens;
}

/** Letters that prefix a quoted literal: E (escapes), N (national), X (hex), B (bits). */
const STRING_PREFIXES = new Set(["e", "n", "x", "b"]);

/** Longest word of an ODBC escape looked at (`fn`, `ts`, `oj`, `x`). */
const MAX_ESCAPE_WORD = 16;

function isTagChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || isDigit(code) || code === 0x5f;
}

/**
 * Where the expression of an ODBC escape opening at `from` starts: `{`, a short word and a blank (`{fn `, `{x `),
 * or -1. `{x}` and `{"a":1}` are no escape.
 */
function odbcEscapeBody(text: string, from: number): number {
  let i = from + 1;
  const limit = Math.min(text.length, i + MAX_ESCAPE_WORD);
  while (i < limit && isTagChar(text.charCodeAt(i))) i++;
  return i > from + 1 && i < text.length && isSpace(text.charCodeAt(i)) ? i + 1 : -1;
}

/** Index of the line break ending the line comment that starts before `from`, or the end of the text. */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "\n" || char === "\r") return i;
  }
  return text.length;
}

interface StringEnd {
  /** Index just past the last content character. */
  readonly contentEnd: number;
  /** Where tokenizing resumes. */
  readonly next: number;
  readonly closed: boolean;
}

/** SQL escapes a quote by doubling it; MySQL also accepts a backslash. */
function findStringEnd(text: string, from: number, quote: string): StringEnd {
  let i = from;
  while (i < text.length) {
    const char = text[i];
    if (char === "\\") {
      i += 2;
      continue;
    }
    if (char === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return { contentEnd: i, next: i + 1, closed: true };
    }
    i++;
  }
  return { contentEnd: text.length, next: text.length, closed: false };
}

function readNumber(text: string, from: number): number {
  let i = from;
  if (text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "b")) {
    i += 2;
    while (i < text.length && /[0-9a-f]/.test(text[i] as string)) i++;
    return i;
  }
  while (i < text.length && (isDigit(text.charCodeAt(i)) || text[i] === ".")) i++;
  if (text[i] === "e" && (isDigit(text.charCodeAt(i + 1)) || text[i + 1] === "-" || text[i + 1] === "+")) {
    i += 2;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  } else if (text[i] === "e" && text[i - 1] === "." && !isWordPart(text.charCodeAt(i + 1) || 0x20)) {
    // `1.e(`, `1.e.t`: MySQL takes an exponent without digits, so `1.e` is the number 1 glued to what follows.
    i++;
  }
  // Oracle's BINARY_DOUBLE and BINARY_FLOAT literals, `1d` and `1f`: `1DUNION SELECT` is `1d UNION SELECT` there
  // (sqlmap's dunion). Only before UNION, so `3days` and `2fall` stay words.
  if ((text[i] === "d" || text[i] === "f") && wordAt(text, i + 1) === "union") i++;
  return i;
}

function wordAt(text: string, from: number): string {
  let i = from;
  while (i < text.length && isWordPart(text.charCodeAt(i))) i++;
  return text.slice(from, i);
}

/**
 * Reads a word and decides what it is. Handles the comment-splice evasion
 * `UN/**\/ION`: when a word is followed immediately by an inline comment and
 * more word characters, and the joined text is a keyword, the pieces are one
 * keyword (that is how a WAF-evading payload means it; MySQL itself would not
 * join them, but the attacker's target parser in front of it may).
 */
function readWord(text: string, from: number, tokens: Token[], start: number): number {
  let i = from;
  while (i < text.length && isWordPart(text.charCodeAt(i))) i++;
  let word = text.slice(from, i);
  // A reserved word qualifies no name: MySQL reads `SELECT.2alias` as SELECT and the number `.2`, and
  // ``SELECT.`t` `` as SELECT and `.`. A dot before a letter stays in the name (`information_schema.tables`).
  const dot = word.indexOf(".");
  if (dot > 0 && startsGluedOperand(text.charCodeAt(from + dot + 1)) && isReserved(word.slice(0, dot))) {
    word = word.slice(0, dot);
    i = from + dot;
  }
  while (text.startsWith("/*", i) && text[i + 2] !== "!") {
    const close = text.indexOf("*/", i + 2);
    if (close === -1) break;
    let j = close + 2;
    while (j < text.length && isWordPart(text.charCodeAt(j))) j++;
    const joined = word + text.slice(close + 2, j);
    if (j === close + 2 || !KEYWORDS.has(joined)) break;
    word = joined;
    i = j;
  }
  word = withoutNestedCopy(word);
  tokens.push({ kind: classifyWord(word, text, i), text: word, start, closed: true });
  return i;
}

/** Keywords a filter that deletes them once, without looking again, rebuilds from a nested copy. */
const NESTABLE_KEYWORDS: ReadonlySet<string> = new Set([
  "union",
  "select",
  "from",
  "where",
  "and",
  "or",
  "order",
  "having",
  "insert",
  "update",
  "delete",
  "drop",
  "sleep",
]);
const NESTABLE_INITIALS: ReadonlySet<number> = new Set([...NESTABLE_KEYWORDS].map((word) => word.charCodeAt(0)));

/**
 * `UNIunionON` is UNION, `SELselectECT` SELECT, `OorR` OR: a keyword with a copy of itself nested inside, so that a
 * filter deleting the keyword once leaves it whole for the database. The word is twice the keyword's length and
 * starts with its first letter; "oregon" and "anand" are no such word.
 */
function withoutNestedCopy(word: string): string {
  const half = word.length / 2;
  if (half < 2 || half > 6 || !Number.isInteger(half) || !NESTABLE_INITIALS.has(word.charCodeAt(0))) return word;
  for (let at = 0; at <= half; at++) {
    const inner = word.slice(at, at + half);
    if (NESTABLE_KEYWORDS.has(inner) && word.slice(0, at) + word.slice(at + half) === inner) return inner;
  }
  return word;
}

/** A digit, a quote or a backtick: what a dot glues to a reserved word in place of a blank. */
function startsGluedOperand(code: number): boolean {
  return isDigit(code) || code === 0x27 || code === 0x22 || code === 0x60;
}

function isReserved(word: string): boolean {
  return KEYWORDS.has(word) || LOGIC_WORDS.has(word) || OPERATOR_WORDS.has(word);
}

function classifyWord(word: string, text: string, end: number): TokenKind {
  if (LOGIC_WORDS.has(word)) return "logic";
  if (OPERATOR_WORDS.has(word)) return "operator";
  if (isFollowedByParen(text, end)) return "function";
  if (KEYWORDS.has(word)) return "keyword";
  return "bareword";
}

/** `sleep(`, `sleep (`, `sleep/**\/(` all call the function. */
function isFollowedByParen(text: string, from: number): boolean {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      if (close === -1) return false;
      i = close + 2;
      continue;
    }
    return text[i] === "(";
  }
  return false;
}
