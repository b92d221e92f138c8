/**
 * Markup hidden in base64, the body of a `data:…;base64,` URL whose prefix
 * was sent in another parameter or left off (`<embed src="data:…;base64,` +
 * `PHN2Zy…`). Base64 of `<` followed by a letter, `!` or `/` always starts
 * with `P` and one of `C`–`H`, so only runs that start that way are decoded.
 */

/** A base64 run starting like encoded markup, long enough to hold a tag. Starts with a literal `P`: a fast scan. */
const ENCODED_MARKUP = /P[C-H][A-Za-z0-9+/]{10,}/g;
/** Characters decoded per run: a payload's first tags fit, a hostile body cannot make us decode megabytes. */
const MAX_DECODED_RUN = 2048;
/** Runs decoded per value. */
const MAX_RUNS = 8;

function isBase64Char(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9+/]/.test(char);
}

/** The markup each base64 run in `value` decodes to (Latin-1, as `atob` returns it). */
export function decodeBase64Markup(value: string): string[] {
  const decoded: string[] = [];
  ENCODED_MARKUP.lastIndex = 0;
  for (let match = ENCODED_MARKUP.exec(value); match !== null && decoded.length < MAX_RUNS; match = ENCODED_MARKUP.exec(value)) {
    // A run must start the base64 text, not sit in the middle of one (or of a word).
    if (isBase64Char(value[match.index - 1])) continue;
    const run = match[0].slice(0, MAX_DECODED_RUN);
    try {
      decoded.push(atob(run.slice(0, run.length - (run.length % 4))));
    } catch {
      // Not valid base64 after all: nothing to see.
    }
  }
  return decoded;
}
