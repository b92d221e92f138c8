/**
 * Undoing what a shell would undo before it runs a word: quotes glued inside
 * a word (`c'a't`, `w"h"oami`, `""p""y""t""h""o""n`), backslash-escaped
 * letters (`c\at`), expansions that are empty or ignored (`$@`, `$*`, `$1`,
 * `$-`, `$$`, `` `` ``, `$()`), and `${IFS}` used as a space.
 */
export function unshell(text: string): string {
  let out = text;
  // A literal "\n" becomes a newline in PHP, Perl and echo -e strings: a command separator.
  if (out.indexOf("\\") !== -1) out = out.replace(/\\[nr]/g, "\n");
  if (out.indexOf("$") !== -1)
    out = out
      .replace(/\$\{ifs\}|\$ifs(?:\$\d)?/g, " ")
      // `$0` names the running shell: `;$0 -c id` runs `sh -c id`.
      .replace(/\$0(?=\s|$|<)/g, "sh")
      // `$'id'`: ANSI-C quoting (its `\x69` escapes are already decoded) is a quoted word like `'id'`.
      .replace(/\$(?=')/g, "")
      .replace(/\$\(\)|\$[@*!\d$?#-]|\$\{[@*!\d#?-]?\}/g, "")
      // `$_` is the last argument, empty in a fresh shell; only glued inside a word (`c$_at`), not PHP's `$_GET`.
      .replace(/(?<=[a-z])\$_(?=[a-z])/g, "")
      .replace(UNSET_VARIABLE_OPENING_WORD, "")
      .replace(UNSET_VARIABLE_IN_WORD, "");
  // Empty command substitutions glued inside a word: `pi``ng`, `pi<()ng`.
  if (out.indexOf("``") !== -1 || out.indexOf("()") !== -1) out = out.replace(/(?<=[a-z])(?:``|[<>]\(\))(?=[a-z])/g, "");
  // One-letter globs inside a word (`adduse[r]`, `c[a]t`) match the letter itself.
  if (out.indexOf("[") !== -1) out = out.replace(/(?<=[a-z])\[([a-z])\]|\[([a-z])\](?=[a-z])/g, "$1$2");
  if (out.indexOf("\\") !== -1) out = out.replace(/(?<=[a-z0-9])\\(?=[a-z0-9])/g, "");
  // cmd.exe drops a `^` before any character: `wh^oami`, `c^m^d`.
  if (out.indexOf("^") !== -1) out = out.replace(/(?<=[a-z])\^(?=[a-z])/g, "");
  const quotes = quoteCount(out);
  // A lone quote (`o'brien`, prose) can only be one glued inside a word: the three pair patterns need two.
  if (quotes === 1) out = out.replace(/(?<=[a-z0-9/])['"](?=[a-z0-9])/g, "");
  else if (quotes > 1) {
    out = out
      // An empty pair of quotes is nothing to the shell, wherever it is.
      .replace(/''|""/g, "")
      // `"w"get`, `'wh'oami`, `c'a't`: quotes that only split a word disappear in the shell.
      .replace(/(["'])([a-z0-9/]{1,12})\1(?=[a-z0-9])/g, "$2")
      .replace(/(^|[;|&`(\s])(["'])([a-z0-9/._-]{1,20})\2(?=[\s;|&`)]|$)/g, "$1$3")
      .replace(/(?<=[a-z0-9/])['"](?=[a-z0-9])/g, "");
  }
  return out;
}

/**
 * `u${xq}n${xq}ame`: a variable nobody set, glued between two letters, expands to nothing and joins the word again
 * (commix's uninitializedvariable tamper). A template writes `${name}` between separators (`/${id}/`, `${a}-${b}`).
 */
const UNSET_VARIABLE_IN_WORD = /(?<=[a-z])\$\{[a-z_][a-z0-9_]{0,15}\}(?=[a-z])/g;
/** `${xq}w${xq}hoami`: the same variable again before the word's first letter, where the tamper repeats it. */
const UNSET_VARIABLE_OPENING_WORD = /\$\{([a-z_][a-z0-9_]{0,15})\}(?=[a-z]\$\{\1\})/g;

/** Quotes (`'` and `"`) in `text`, counted up to two: all `unshell` needs to know. */
function quoteCount(text: string): number {
  const single = text.indexOf("'");
  const double = text.indexOf('"');
  if (single === -1 && double === -1) return 0;
  if (single !== -1 && double !== -1) return 2;
  return text.indexOf(single === -1 ? '"' : "'", (single === -1 ? double : single) + 1) === -1 ? 1 : 2;
}

/** Markers of a word split to dodge a filter: `c''at`, `c$@at`, `c${x}at`, `pi``ng`, `w\ho`, `wh^oami`. */
const EVASION =
  /[a-z](?:(?:''|""|``|\$\(\)|[<>]\(\)|\$[@*!\d$?#_-]|\$\{[@*!\d#?-]?\}|\$\{[a-z_][a-z0-9_]{0,15}\}|\\|\^|['"])[a-z]|(?:''|""|``|\$\(\))(?=\s|$))/g;
/** `[\s;|&]`, as a character test: what ends a word for the shell (and every space JavaScript's `\s` knows). */
function isTokenBreak(c: number): boolean {
  if (c === 59 || c === 124 || c === 38 || c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * The words that were disguised with an evasion marker, as the shell reads
 * them: `c''at` → `cat`. A real command among them is a strong signal: nobody
 * quotes the middle of a word by accident. At most 16 markers are examined.
 */
export function disguisedWords(lower: string): string[] {
  const words: string[] = [];
  EVASION.lastIndex = 0;
  for (let match = EVASION.exec(lower), n = 0; match !== null && n < 16; match = EVASION.exec(lower), n++) {
    let start = match.index;
    while (start > 0 && match.index - start < 40 && !isTokenBreak(lower.charCodeAt(start - 1))) start--;
    let end = match.index + match[0].length;
    while (end < lower.length && end - match.index < 40 && !isTokenBreak(lower.charCodeAt(end))) end++;
    const raw = lower.slice(start, end);
    EVASION.lastIndex = match.index + match[0].length - 1;
    // `I'd like…`: an English contraction where no command can start is an apostrophe, not a split `id`; nor
    // where one can but the sentence goes on with its apostrophe never closed ("Tom & I'd like to come").
    if (CONTRACTION.test(raw) && (!followsOperator(lower, start) || isUnclosedApostropheInSentence(lower, end))) continue;
    const word = unshell(raw).replace(/^.*[/\\]/, "");
    words.push(word.endsWith(".exe") ? word.slice(0, -4) : word);
  }
  return words;
}

/** A word whose one quote is an English contraction's apostrophe: `i'd`, `we'll`, `don't`, `it's`. */
const CONTRACTION = /^[a-z]{1,12}'(?:d|s|t|ll|re|ve|m)$/;

/**
 * "Tom & I'd like to come": after the contraction (ending at `end`) the sentence goes on with a word, and the
 * value's single quotes are odd in number, with no `"` or `\\` that could pair or escape one. A POSIX shell
 * then meets an unterminated quote and refuses the whole line (`sh -c "echo hi; i'd x"` runs nothing), and
 * cmd.exe, where `'` is no quote, reads `i'd`, no command. `x|i'd` at the end of the value is still the split.
 */
function isUnclosedApostropheInSentence(lower: string, end: number): boolean {
  if (!/^\s{1,4}[a-z]/.test(lower.slice(end, end + 8))) return false;
  if (lower.indexOf('"') !== -1 || lower.indexOf("\\") !== -1) return false;
  let quotes = 0;
  for (let i = lower.indexOf("'"); i !== -1; i = lower.indexOf("'", i + 1)) quotes++;
  return quotes % 2 === 1;
}

/** Whether a shell operator (`;`, `|`, `&`, a backtick, `(`, a line break) comes before `start`, spaces aside: a command position. */
function followsOperator(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  if (i < 0) return false;
  const c = text.charCodeAt(i);
  return c === 59 || c === 124 || c === 38 || c === 96 || c === 40 || c === 10 || c === 13;
}

/** `{,ifconfig}`, `{cat,/etc/passwd}`, `c{a,oun}t`: a comma list in braces, with no space, that bash expands into words. */
const BRACE_LIST = /([a-z0-9_]{0,20})\{([^{}\s]{0,80},[^{}\s]{0,80})\}([a-z0-9_]{0,20})/g;

/**
 * `{&page,per_page,sort}`, `{?since,all}`, `{/owner,repo}`: an RFC 6570 URI template expression (API roots such as
 * GitHub's and HAL links list them), an operator then variable names. The shell would expand it into words that
 * begin with the operator (`&page`, `?since`, `/owner`), none of them a command; `{/bin/cat,/etc/passwd}` names paths.
 */
const URI_TEMPLATE_EXPRESSION = /^[+#./;?&][a-z0-9_%]+(?::\d{1,4}|\*)?(?:,[a-z0-9_%]+(?::\d{1,4}|\*)?){0,16}$/i;

/** The first command a brace expansion produces, if it produces one (at most 8 lists are examined). */
export function braceCommand(text: string, isCommand: (word: string) => boolean): string | undefined {
  if (text.indexOf("{") === -1) return undefined;
  BRACE_LIST.lastIndex = 0;
  for (let match = BRACE_LIST.exec(text), n = 0; match !== null && n < 8; match = BRACE_LIST.exec(text), n++) {
    const [, prefix, list, suffix] = match as unknown as [string, string, string, string];
    if (URI_TEMPLATE_EXPRESSION.test(list)) continue;
    for (const item of list.split(",", 8)) {
      const word = `${prefix}${item.replace(/^\$?'|'$/g, "")}${suffix}`.replace(/^.*\//, "");
      if (isCommand(word)) return match[0];
    }
  }
  return undefined;
}
