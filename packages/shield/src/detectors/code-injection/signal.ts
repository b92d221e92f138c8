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

/** The stronger of two signals (the first on a tie). */
export function stronger(a: CodeSignal | undefined, b: CodeSignal | undefined): CodeSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.score > a.score ? b : a;
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
