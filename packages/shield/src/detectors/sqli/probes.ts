/**
 * Error-based fuzz probes: the first thing a scanner (sqlmap, Burp, a manual
 * tester) sends to find an injectable parameter is not a query but a value
 * that breaks one, `1'`, `'1`, `1"`, `1\`, `1""(.'.(,(.`, and it watches for a
 * database error. These carry no SQL grammar, so the classifier cannot see
 * them; they are recognised by shape instead:
 *  - no letters at all (so no name, word or address), yet an unbalanced quote
 *    or a backslash escaping one (`1\`, `\'`): a number or punctuation that
 *    only makes sense as a way to unbalance the literal it lands in;
 *  - a tight run mixing both quote kinds with an angle bracket (`'">`, `<'"`):
 *    sqlmap's heuristic probe tests SQL and HTML escaping in one value.
 */

/** Long values are not probes; the bound also keeps this check trivially cheap. */
const MAX_PROBE_LENGTH = 32;

/**
 * Feet and inches, `5'11"`, `6' 2.5"`, and as builders write lengths, `10'-6"`:
 * the one common way to write both quotes next to digits alone. (A bare `5'` is
 * indistinguishable from the `1'` probe and is flagged.) Anchored, single
 * character classes: linear.
 */
const FEET_AND_INCHES = /^\d{1,3}'[ -]?\d{1,2}(?:\.\d{1,2})?"$/;

/**
 * Thousands grouped with apostrophes, as Switzerland and Liechtenstein write
 * amounts (`1'000.00`, `12'500`, `-3'000,50`): a number, not a probe. Groups of
 * exactly three digits, anchored: linear.
 */
const APOSTROPHE_GROUPED_NUMBER = /^[-+]?\d{1,3}(?:'\d{3})+(?:[.,]\d{1,6})?$/;

/**
 * A crying or laughing-to-tears face, `:'(`, `:'-(`, `;')`, `='[`: chat's most common use of an apostrophe
 * next to punctuation alone. Its quote is a tear, not a probe: the faces are set aside before the count.
 */
const TEARFUL_FACE = /[:;=]'-?[()[\]]/g;

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

/** `1'`, `'1`, `1'1`, `1"`, `` 1` ``, `1\`, `'\"`, `1""(.'.(,(.`, a quote hidden in a comment. */
export function isQuoteProbe(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < 2 || trimmed.length > MAX_PROBE_LENGTH) return false;
  const text = trimmed.indexOf("'") === -1 ? trimmed : trimmed.replace(TEARFUL_FACE, " ").trim();
  if (text.length < 2) return false;
  let single = 0;
  let double = 0;
  let backtick = 0;
  let backslash = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Letters mean words or names (O'Brien, l'Eliana); non-ASCII means text in another script.
    if (isAsciiLetter(code) || code > 0x7f) return false;
    if (code === 0x27) single++;
    else if (code === 0x22) double++;
    else if (code === 0x60) backtick++;
    else if (code === 0x5c && escapesQuote(text, i)) backslash++;
  }
  if (single % 2 === 0 && double % 2 === 0 && backtick % 2 === 0 && backslash === 0) return false;
  return !FEET_AND_INCHES.test(text) && !APOSTROPHE_GROUPED_NUMBER.test(text);
}

/** A number (or nothing) before a final backslash: `1\`, `-5\`, `\`. */
const NUMBER_BEFORE_BACKSLASH = /^[-+]?[\d.\s]*\\$/;

/**
 * Whether the backslash at `at` escapes a quote: the one after it (`\'`), or,
 * as the value's last character after a number (`1\`), the quote the query
 * closes the literal with. Inside a run of symbols (`0-=\1234`, `!@#$0-=\`,
 * keyboard-walk passwords) it escapes nothing a query needs.
 */
function escapesQuote(text: string, at: number): boolean {
  const next = text[at + 1];
  if (next === "'" || next === '"' || next === "`") return true;
  return at === text.length - 1 && NUMBER_BEFORE_BACKSLASH.test(text);
}

function isQuote(char: string | undefined): boolean {
  return char === "'" || char === '"';
}

function isAngle(char: string | undefined): boolean {
  return char === "<" || char === ">";
}

/** `1'qhfy<'">utwq`: a run of quotes and angle brackets holding `'`, `"` and `<` or `>` together. */
export function findMixedQuoteRun(value: string): number {
  // Most values lack one of the two quotes: two native searches settle them without a character loop.
  if (!value.includes("'") || !value.includes('"')) return -1;
  let runStart = -1;
  let single = false;
  let double = false;
  let angle = false;
  for (let i = 0; i <= value.length; i++) {
    const char = value[i];
    if (isQuote(char) || isAngle(char)) {
      if (runStart === -1) {
        runStart = i;
        single = false;
        double = false;
        angle = false;
      }
      if (char === "'") single = true;
      else if (char === '"') double = true;
      else angle = true;
      if (single && double && angle) return runStart;
      continue;
    }
    runStart = -1;
  }
  return -1;
}
