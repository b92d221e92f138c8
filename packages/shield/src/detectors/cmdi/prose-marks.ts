/**
 * Backticks and pipes that are Markdown, not shell. Chat messages, issue
 * comments and documentation fields quote code in backtick spans (`` use
 * `read()` here ``) and lay out tables with pipes (`| Name | Type |`); read
 * as shell, each span would be a command substitution and each cell a
 * pipeline stage.
 */

/**
 * True when every backtick pair in `text` is a Markdown code span inside
 * prose: the span opens after a space, the start or an opening mark
 * (`( [ * _ " ' >`), closes before a space, the end or punctuation, and at
 * least two words stand outside the spans. A substitution glued into a word
 * (`` a`id`b ``, `` x.`whoami`.oast ``) or a value that is nothing but the
 * span (`` `id` ``) is shell, not prose.
 */
export function isProseWithCodeSpans(text: string): boolean {
  let open = text.indexOf("`");
  if (open === -1) return false;
  let words = 0;
  let from = 0;
  while (open !== -1) {
    const close = text.indexOf("`", open + 1);
    if (close === -1 || close === open + 1) return false;
    if (!opensSpan(text.charCodeAt(open - 1)) || !closesSpan(text, close + 1)) return false;
    words += wordsIn(text, from, open);
    from = close + 1;
    open = text.indexOf("`", from);
  }
  words += wordsIn(text, from, text.length);
  return words >= 2;
}

/** A space, the start of the value (NaN) or an opening mark. */
function opensSpan(c: number): boolean {
  return (
    Number.isNaN(c) ||
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 40 ||
    c === 91 ||
    c === 42 ||
    c === 95 ||
    c === 34 ||
    c === 39 ||
    c === 62
  );
}

/**
 * A space or the end of the value at `at`, or punctuation (`. , ; : ! ? ) ] * _ ' " -` and `/`) that a
 * letter or digit does not follow: `` `id`.oast.me `` glues the span into a host name, which is shell.
 */
function closesSpan(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (isSpaceOrEnd(c)) return true;
  const punctuation =
    c === 46 ||
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === 33 ||
    c === 63 ||
    c === 41 ||
    c === 93 ||
    c === 42 ||
    c === 95 ||
    c === 39 ||
    c === 34 ||
    c === 45 ||
    c === 47;
  return punctuation && !isLetterOrDigit(text.charCodeAt(at + 1));
}

function isSpaceOrEnd(c: number): boolean {
  return Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13;
}

function isLetterOrDigit(c: number): boolean {
  const lower = c | 32;
  return (lower >= 97 && lower <= 122) || (c >= 48 && c <= 57);
}

/** Runs of two or more ASCII letters in `text[from, to)`, counted up to 2 (all the caller needs). */
function wordsIn(text: string, from: number, to: number): number {
  let words = 0;
  let run = 0;
  for (let i = from; i < to && words < 2; i++) {
    const c = text.charCodeAt(i) | 32;
    if (c >= 97 && c <= 122) run++;
    else {
      if (run >= 2) words++;
      run = 0;
    }
  }
  return run >= 2 ? words + 1 : words;
}

/**
 * `| Name | Type | Description |`: a Markdown table row. It opens and ends
 * with a pipe and every pipe inside has a space on both sides; a pipeline
 * (`|id|`, `| id`, `x | nc host 1`) has neither that frame nor three pipes.
 */
export function isTableRow(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.length < 5 || trimmed.charCodeAt(0) !== 124 || trimmed.charCodeAt(trimmed.length - 1) !== 124) return false;
  let pipes = 0;
  for (let i = 0; i < trimmed.length; i++) {
    if (trimmed.charCodeAt(i) !== 124) continue;
    pipes++;
    const before = i === 0 ? 32 : trimmed.charCodeAt(i - 1);
    const after = i === trimmed.length - 1 ? 32 : trimmed.charCodeAt(i + 1);
    if (before !== 32 && before !== 9 && i !== 0) return false;
    if (after !== 32 && after !== 9 && i !== trimmed.length - 1) return false;
  }
  return pipes >= 3;
}

/**
 * `&copy;`, `&reg;`: HTML named character references whose name is also a
 * Windows command. Text pasted from a web page keeps them; the `&` there
 * starts an entity, not a background job.
 */
export function isEntityAfterAmpersand(text: string, ampersand: number): boolean {
  return text.startsWith("copy;", ampersand + 1) || text.startsWith("reg;", ampersand + 1);
}
