/** What one language's grammar check found: how sure, what to call it, where. */
export interface CodeSignal {
  readonly score: number;
  readonly label: string;
  readonly index: number;
  /**
   * True when the same text also appears when people write about code (a
   * class name, `eval()`); such signals are lowered in prose. Grammar that
   * only code has (`<?php`, a serialized object) is never lowered.
   */
  readonly mention?: boolean;
}

/**
 * A value written as sentences (three or more spaces between two words)
 * mentions code rather than being code: a support message quoting a stack
 * trace that names `java.lang.Runtime` is not a gadget chain. Spaces beside
 * punctuation (`exec /* x *\/ (ls)`) do not count. Signals found in prose are
 * lowered by this much, so only "high" sensitivity blocks them.
 */
export const PROSE_PENALTY = 0.25;

export function looksLikeProse(value: string): boolean {
  let gaps = 0;
  for (let i = value.indexOf(" "); i > 0 && i < value.length - 1; i = value.indexOf(" ", i + 1)) {
    if (isLetter(value.charCodeAt(i - 1)) && isLetter(value.charCodeAt(i + 1)) && ++gaps >= 3) return true;
  }
  return false;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * JavaScript words after which an expression may follow on the same line
 * (`return require('fs')`, `void process.exit()`): code, not prose.
 */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "void",
  "new",
  "delete",
  "throw",
  "await",
  "yield",
  "in",
  "of",
  "instanceof",
  "case",
  "else",
  "do",
  "extends",
]);

/**
 * Whether the mention at `index` comes right after an English word and a
 * space on the same line ("use require('express')", "set process.env.PORT"):
 * in JavaScript a word then an expression is a syntax error, so text shaped
 * like this cannot run as injected code. JavaScript keywords that take an
 * expression are not counted, and neither is a line break, after which
 * JavaScript would start a new statement.
 */
export function followsProseWord(value: string, index: number): boolean {
  let at = index - 1;
  while (at >= 0 && (value.charCodeAt(at) === 32 || value.charCodeAt(at) === 9)) at--;
  if (at === index - 1 || at < 0 || !isLetter(value.charCodeAt(at))) return false;
  const end = at + 1;
  while (at >= 0 && isLetter(value.charCodeAt(at))) at--;
  return !KEYWORDS_BEFORE_EXPRESSION.has(value.slice(at + 1, end));
}
