/**
 * Scoring one place where a shell would read a command name: what the word
 * is (a distinct program, a common word that is also a command, a program in
 * a binary directory, a variable) and what follows it (a flag, a path, an
 * operator, plain text).
 */
import type { Candidate } from "../types.js";
import {
  COMMON_COMMANDS,
  COMMON_SYSTEM_PROGRAMS,
  DISTINCT_COMMANDS,
  LOOKUP_COMMANDS,
  NET_SUBCOMMANDS,
  NUMERIC_COMMANDS,
  RUNTIMES,
  STANDALONE_COMMANDS,
  WRAPPERS,
} from "./commands.js";
import { SYSTEM_PROGRAMS } from "./program-names.js";

/** A value that is a program in a binary directory: `/bin/ab`, `/usr/local/sbin/x`, and relative `usr/bin/id`. */
const BINARY_PATH = /^(?:\/?usr(?:\/local)?)?\/?s?bin\/[a-z0-9_.-]+/;
const WORD = /[a-z0-9_.-]+/y;
/** A program path (`/bin/`, `/usr/bin/`, `./`, `c:/windows/system32/`, relative `usr/bin/`) before the command name. */
const PROGRAM_DIR = /(?:[a-z]:[\\/][a-z0-9_ .\\/-]*[\\/]|\.{0,2}\/(?:[a-z0-9_.-]+\/)*|(?:usr\/(?:local\/)?)?s?bin\/)/y;
/** `$cmd`, `${cmd}`: a variable used as the command name. */
const VARIABLE = /\$\{?([a-z_][a-z0-9_]{0,30})\}?/y;
/** Options and numbers a wrapper takes before the command it runs: `nice -n 10 id`, `cpulimit -l 100 -f whoami`. */
const WRAPPER_OPTION = /[\s+]*(?:-{1,2}[a-z][a-z0-9-]*|\d+[a-z]?)(?=[\s+]|$)/y;

type Kind = Candidate["kind"];

export function isSpaceLike(c: number): boolean {
  // Space, tab, "+" (a URL-encoded space that was not decoded) and "(" may precede a command.
  return c === 32 || c === 9 || c === 43 || c === 40;
}

/** Headers and paths are free text written by clients (User-Agent has `;` and words): only the clearest patterns count there. */
function isCautious(kind: Kind): boolean {
  return kind === "header" || kind === "path";
}

/**
 * The score (0..1) of the command a shell would read at `start`. `separator`
 * is the operator before it (`;`, `|`, `&`, backtick, newline, `(`, `{`), or 0
 * at the start of the value.
 */
export function scoreCommandAt(text: string, start: number, separator: number, kind: Kind, depth = 0, codeSpans = false): number {
  let i = start;
  while (i < text.length && isSpaceLike(text.charCodeAt(i))) i++;
  // `' whoami`, `'time sh -c id`: a quote that closes the app's own string, then a command.
  const quote = text[i];
  if (separator === 0 && (quote === "'" || quote === '"') && (/\s/.test(text[i + 1] ?? "") || text.indexOf(quote, i + 1) === -1)) {
    i++;
    while (i < text.length && isSpaceLike(text.charCodeAt(i))) i++;
  }
  if (text.charCodeAt(i) === 36 && depth < 2) return scoreVariableCommand(text, i, separator, kind, depth);
  PROGRAM_DIR.lastIndex = i;
  const dir = PROGRAM_DIR.exec(text);
  const hasDir = dir !== null && dir[0].length > 0;
  if (hasDir) i += dir[0].length;
  WORD.lastIndex = i;
  const match = WORD.exec(text);
  if (!match) return 0;
  let word = match[0];
  if (word.endsWith(".exe")) word = word.slice(0, -4);
  const after = i + match[0].length;
  // Outside braces a comma does not end a shell word: `;base64,iVBOR…` (a data: URL) names no command `base64`.
  if (text.charCodeAt(after) === 44 && separator !== 123) return 0;
  // Nor does a colon: `chmod: true`, `node:querystring` are keys and module names, `chmod:` no program.
  if (text.charCodeAt(after) === 58 && !/[\\/]/.test(text[after + 1] ?? "")) return 0;
  if (separator === 123 && depth === 0 && !bracesRunCommand(text, start, after)) return 0;
  if (WRAPPERS.has(word) && depth < 2) {
    WRAPPER_OPTION.lastIndex = after;
    let next = after;
    for (let n = 0; n < 4 && WRAPPER_OPTION.test(text); n++) next = WRAPPER_OPTION.lastIndex;
    const wrapped = scoreCommandAt(text, next, separator, kind, depth + 1);
    if (wrapped > 0) return wrapped;
    // `time who`, `nohup id`: a wrapper running a known command with nothing after it, or a flag or a host.
    const inner = /^[\s+]*([a-z0-9_.-]+)(?:\s+(-|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\s*$)|\s*$)/.exec(text.slice(next, next + 80));
    if (inner && isCommandName(inner[1] as string) && !isCautious(kind)) return 0.75;
  }
  if (LOOKUP_COMMANDS.has(word) && separator === 0 && !isCautious(kind)) {
    // `which nc`, `whereis perl`: reconnaissance for the tools a later payload needs.
    const looked = /^[\s+]+([a-z0-9_.-]+)\s*$/.exec(text.slice(after, after + 40))?.[1];
    if (looked !== undefined && DISTINCT_COMMANDS.has(looked)) return 0.75;
  }
  return scoreWord(text, start, i, word, after, hasDir, separator, kind, codeSpans);
}

function scoreWord(
  text: string,
  start: number,
  wordStart: number,
  word: string,
  after: number,
  hasDir: boolean,
  separator: number,
  kind: Kind,
  codeSpans: boolean,
): number {
  const distinct = DISTINCT_COMMANDS.has(word);
  const common = !distinct && COMMON_COMMANDS.has(word);
  // The hot path: most values open with a word that is no command, and nothing else could make them one.
  if (!distinct && !common && !hasDir && separator === 0) return 0;
  // `cpu>80 && host=~"web.*"`, `a; sort=asc`: a word glued to `=` assigns a variable, whatever its name; it runs nothing.
  if (!hasDir && isAssignment(text, after)) return 0;
  let argument = shellArgument(text.slice(after, after + 40), word);
  if (argument === "number" && RUNTIMES.has(word)) argument = "text";
  if (
    argument === "operator" &&
    (separator === 0 || !DISTINCT_COMMANDS.has(word)) &&
    !operatorContinuesShell(text.slice(after, after + 40), separator, word)
  )
    argument = "text";
  // `Set \`x\` to true`: in prose that quotes code, a backtick after the first word opens a Markdown span.
  if (argument === "operator" && codeSpans && /^\s+`/.test(text.slice(after, after + 8))) argument = "text";
  const shellish = argument === "flag" || argument === "path" || argument === "operator" || argument === "url";
  // A header that *starts* with `;` or `|` is no browser's User-Agent: judge it as any other value.
  const opensValue = separator !== 0 && /^[\s'"]*$/.test(text.slice(0, start - 1));
  const cautious = isCautious(kind) && !opensValue;
  // `(Windows NT 10.0; Touch; .NET4.0C)`, `(iPhone; …; gzip)`, `lua-resty-http/0.10 (Lua)`: a User-Agent's comment
  // lists tokens between `(`, `;` and `)`. A command word that is a whole token there runs nothing: it has no argument.
  if (cautious && kind === "header" && (separator === 59 || separator === 40) && isWholeCommentToken(text, after)) return 0.5;
  if (!distinct && !common) {
    // An unknown program: still an injection when it sits in a binary directory, or opens the value after a shell operator.
    if (hasDir && BINARY_PATH.test(text.slice(start).trimStart())) {
      // "bin/semver.js has the details": a file the value names, then a sentence about it.
      if (separator === 0 && argument === "text" && isSentenceAfter(text, after)) return 0.5;
      // `bin/semver.js`, `bin/www`, `bin/rails` alone: a project's own script (package.json's `bin`, a framework's
      // launcher), named relative to the project. No program the system has: a known one (`bin/visudo`) scores below.
      if (separator === 0 && argument === "end" && text.startsWith("bin/", start)) return 0.5;
      return cautious ? 0.5 : separator !== 0 ? 0.9 : 0.75;
    }
    if (opensValue && (argument === "flag" || argument === "path") && separator !== 10 && !cautious) return 0.75;
    return 0;
  }
  if (hasDir && separator !== 0) return cautious ? 0.7 : 0.9;
  if (word === "net" && NET_SUBCOMMANDS.has(/^[\s+]+([a-z]+)/.exec(text.slice(after, after + 20))?.[1] ?? "")) return cautious ? 0.6 : 0.85;
  if (separator !== 0) {
    // A newline separates commands too, but also lines of prose in a textarea.
    const strongSeparator = separator !== 10 && separator !== 13;
    if (distinct && (argument !== "text" || hasDir)) return cautious ? 0.8 : 0.95;
    // A value that opens with a line break (`%0anslookup x.oast.me`) has no line of prose before it.
    // So has one after the argument the app expected (`127.0.0.1%0anslookup x.oast.me`).
    if (distinct) return (strongSeparator || opensValue || followsExpectedArgument(text, start)) && !cautious ? 0.8 : 0.5;
    // "use `echo` here": one common word quoted in backticks after a space is Markdown, not a substitution.
    if (separator === 96 && start > 1 && /\s/.test(text[start - 2] as string) && text[after] === "`") return 0.5;
    if (isClosedSubstitution(text, start, separator, after) && !cautious) return 0.85;
    if (shellish || (argument === "number" && NUMERIC_COMMANDS.has(word))) return cautious ? 0.7 : 0.9;
    // "Tom & Jerry & more", "Sales & more": prose's spaced `&` before an everyday word that is also a command.
    if (separator === 38 && (argument === "end" || argument === "text") && ENGLISH_WORDS.has(word) && isSpacedAmpersand(text, start))
      return 0.5;
    // "Skills: Docker; Git": a product name closing a list is named, not run; `x;git` alone is judged as the rest below.
    if (argument === "end" && !cautious && !COMMON_SYSTEM_PROGRAMS.has(word)) return strongSeparator ? 0.8 : 0.75;
    // `|echo vuln`, `'; ps aux`: a value that opens with the operator has no sentence for it to punctuate.
    if (opensValue && strongSeparator && !cautious) return 0.75;
    // `x && echo vulnerable`, `|| ps aux`: `&&` and `||` chain commands; prose joins words with one `&` or `|`.
    if (isDoubledOperator(text, start, separator) && !cautious) return 0.75;
    // `127.0.0.1; ps aux`, `report.pdf | tail x`: the argument the app expected, then the operator and a command.
    // A line break does it too (`127.0.0.1%0aecho x`, `'%0d%0aecho x`): one token with no line of prose before it.
    // A line of prose after it ("12345\nfind my order please") is a textarea's second line: one word at most.
    if (
      separator !== 96 &&
      !cautious &&
      !isAssignment(text, after) &&
      followsExpectedArgument(text, start) &&
      (strongSeparator || atMostOneWordOnLine(text, after))
    )
      return 0.75;
    return 0.5;
  }
  if (hasDir && distinct) return cautious ? 0.7 : 0.9;
  // "rm -rf is dangerous, don't run it", "ls -la output attached": a command named in a sentence about it. Only
  // where the value opens with it: after a shell operator (`x; rm -rf home user`) a command is a command.
  if (argument === "flag" && separator === 0 && !hasDir && isSentenceAfterFlags(text, after)) return 0.5;
  // A value that opens with a distinct program and a flag (`ansible-inventory --list`, `nc -e`): no browser sends that as a User-Agent either.
  if (distinct && (argument === "flag" || (argument === "path" && /^\s/.test(text[after] ?? ""))) && wordStart === firstNonSpace(text))
    return cautious ? 0.7 : 0.85;
  // A header that is nothing but a command line with an option (`env --version`, `set -o history`): a client's
  // User-Agent names it with a version (`curl/8.4.0`), and a Referer is a URL.
  if (argument === "flag" && cautious && kind === "header" && wordStart === firstNonSpace(text) && isBareCommandLine(text)) return 0.7;
  if (shellish) return distinct ? (cautious ? 0.6 : 0.85) : cautious ? 0.5 : 0.75;
  if (argument === "end" && STANDALONE_COMMANDS.has(word)) return cautious ? 0.7 : 0.8;
  // `ansible all -m ping`: a distinct program whose flag comes after a word or two.
  if (distinct && (argument === "text" || argument === "number") && hasLaterFlag(text, after)) return cautious ? 0.7 : 0.75;
  // `ansible-vault decrypt secret`, `aa-disable php-fpm`: a program whose name is no word of any language (a hyphen or a
  // digit in it), opening the value with one to three bare arguments and nothing else: a command line, not a sentence.
  // In a header that is nothing else (`ansible-config dump` as a User-Agent), no client names itself so either.
  if (distinct && argument === "text" && isNoWord(word) && wordStart === firstNonSpace(text) && areBareArguments(text.slice(after)))
    return cautious ? (kind === "header" && isBareCommandLine(text) ? 0.7 : 0.6) : 0.75;
  // `sleep 5` alone is a timing probe; `ping 127.0.0.1` alone is what a diagnostics form legitimately receives.
  if (argument === "number" && NUMERIC_COMMANDS.has(word)) {
    // "sleep 8 hours a night": a number and then words is a sentence; the probe is the number alone (or a suffix, `5s`).
    if (!/^[\s+]*\d+(?:\.\d+)?[smhd]?\s*(?:$|[;|&#])/.test(text.slice(after, after + 40))) return 0.5;
    return word === "sleep" || word === "usleep" || word === "timeout" ? 0.75 : 0.6;
  }
  return 0;
}

/**
 * Common commands that are everyday English words: after a lone `&` with a
 * space on each side and nothing shell-like following, the `&` is "and".
 * Not `id`, `ls`, `ps`, `pwd`: no sentence ends with those.
 */
const ENGLISH_WORDS: ReadonlySet<string> = new Set([
  "more",
  "less",
  "head",
  "tail",
  "find",
  "sort",
  "time",
  "date",
  "who",
  "file",
  "copy",
  "move",
  "start",
  "call",
  "exit",
  "print",
  "read",
  "wait",
  "test",
  "set",
  "type",
  "cut",
  "touch",
  "kill",
  "mail",
  "host",
  "source",
  "history",
  "sleep",
  "echo",
  "finger",
  "alias",
  "export",
  "halt",
  "diff",
  "nice",
  "calc",
]);

/** ` & ` at `start` (just after the `&`): one ampersand with a space on each side, as prose writes "and". */
function isSpacedAmpersand(text: string, start: number): boolean {
  const at = start - 1;
  return text.charCodeAt(at) === 38 && text.charCodeAt(at - 1) === 32 && text.charCodeAt(at - 2) !== 38 && /\s/.test(text[start] ?? "");
}

/**
 * After `{` a shell runs a command in two shapes only: brace expansion,
 * `{cat,/etc/passwd}` (no space after the brace, a comma after the word), and
 * a group, `{ id; }` (a space after the brace, the command ended by `;`, `&`,
 * `|` or a newline before the group closes). To bash, `{id}` is a literal word
 * and `{ id }` a syntax error that runs nothing; they are also how GraphQL
 * selects fields (`{ user { id } }`), URL templates name parts
 * (`/users/{id}`) and format strings name values (`Hi {name}`).
 */
function bracesRunCommand(text: string, start: number, after: number): boolean {
  const first = text.charCodeAt(start);
  const group = first === 32 || first === 9 || first === 10 || first === 13 || first === 43;
  if (!group) return text.charCodeAt(after) === 44;
  // Bounded: a group's first command is short; a terminator further on belongs to something else.
  const end = Math.min(text.length, after + 200);
  for (let i = after; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 125) return false;
    if (c === 59 || c === 38 || c === 124 || c === 10 || c === 13) return true;
  }
  return false;
}

/**
 * Whether a value with no shell syntax could open with a command: its first
 * word is a known program, a wrapper, or a path. One pass over the first
 * word, no regex, no allocation beyond that word: most values are prose.
 */
export function mayOpenWithCommand(value: string): boolean {
  let i = 0;
  while (i < value.length && isSpaceLike(value.charCodeAt(i))) i++;
  const first = value.charCodeAt(i);
  // A path (`/bin/x`, `./x`, `c:\x`, `usr/bin/x`) or a quote is judged the slow way.
  if (first === 47 || first === 46 || first === 39 || first === 34 || value.charCodeAt(i + 1) === 58) return true;
  let end = i;
  while (end < value.length) {
    const c = value.charCodeAt(end) | 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 127 || c === 46 || c === 45) end++;
    else break;
  }
  if (value.charCodeAt(end) === 47) return true;
  // Longer than any program name (plus ".exe"), or shaped like none: prose, no need to copy the word.
  if (end - i > LONGEST_OPENING_WORD + 4 || end === i || !hasOpeningShape(value, i, end)) return false;
  const word = value.slice(i, end).toLowerCase();
  // Both spellings: `whoami.exe` is listed as `whoami`, `sc.exe` only with its extension (`sc` alone is prose).
  return OPENING_WORDS.has(word) || (word.endsWith(".exe") && OPENING_WORDS.has(word.slice(0, -4)));
}

/** Every word a command line may open with, in one set: one lookup per value instead of four. */
const OPENING_WORDS: ReadonlySet<string> = new Set([...DISTINCT_COMMANDS, ...COMMON_COMMANDS, ...WRAPPERS, ...LOOKUP_COMMANDS]);
const LONGEST_OPENING_WORD = Math.max(...[...OPENING_WORDS].map((word) => word.length));

/**
 * The first letter, last letter and length of every opening word (and of
 * `word.exe`), as flags: "Item", "Fits", "dark" match none, so most prose is
 * turned away without copying or lowercasing its first word.
 */
const SHAPE_LENGTHS = 64;
const OPENING_SHAPES: Uint8Array = (() => {
  const shapes = new Uint8Array(26 * 26 * SHAPE_LENGTHS);
  for (const name of OPENING_WORDS)
    for (const word of [name, `${name}.exe`]) {
      const index = shapeIndex(word.charCodeAt(0), word.charCodeAt(word.length - 1), word.length);
      if (index >= 0) shapes[index] = 1;
    }
  return shapes;
})();

/** -1 when the word does not start and end with an ASCII letter (or is too long): those take the slow path. */
function shapeIndex(firstChar: number, lastChar: number, length: number): number {
  const first = (firstChar | 32) - 97;
  const last = (lastChar | 32) - 97;
  if (first < 0 || first > 25 || last < 0 || last > 25 || length >= SHAPE_LENGTHS) return -1;
  return (first * 26 + last) * SHAPE_LENGTHS + length;
}

function hasOpeningShape(value: string, start: number, end: number): boolean {
  const index = shapeIndex(value.charCodeAt(start), value.charCodeAt(end - 1), end - start);
  return index < 0 || OPENING_SHAPES[index] === 1;
}

function isCommandName(word: string): boolean {
  return DISTINCT_COMMANDS.has(word) || COMMON_COMMANDS.has(word);
}

export function firstNonSpace(text: string): number {
  let i = 0;
  while (i < text.length && isSpaceLike(text.charCodeAt(i))) i++;
  return i;
}

/**
 * A program name no language has as a word: a hyphen or a digit in it, or one of the system programs (`cscli`, `zstdcat`).
 * Letters then a number are a word of technical prose, though: "python3 tutorial", "base64 image" are searches.
 */
function isNoWord(word: string): boolean {
  return (/[-\d]/.test(word) && !LETTERS_THEN_NUMBER.test(word)) || SYSTEM_PROGRAMS.has(word);
}

/** `python3`, `base64`, `php8.2`: a name with a version or a radix after it. */
const LETTERS_THEN_NUMBER = /^[a-z]+\d+(?:\.\d+)*$/;

/** One to three bare arguments (names, sub-commands, `community.general`), and nothing else. */
const BARE_ARGUMENTS = /^(?:\s+[a-z0-9][\w.:=-]{0,40}){1,3}\s*$/;

/** Words that make a run of words a sentence ("ssh-keygen is a tool"); no sub-command or argument is spelled so. */
const FUNCTION_WORDS = new Set(
  "a an the is are was were be been it its this that these to of and or but for in on at with by from as not".split(" "),
);

function areBareArguments(rest: string): boolean {
  return (
    BARE_ARGUMENTS.test(rest) &&
    !rest
      .trim()
      .split(/\s+/)
      .some((word) => FUNCTION_WORDS.has(word))
  );
}

/** Two or more plain words after a space, and nothing else: "has the details", not `-la /tmp` or `x.sh`. */
const PLAIN_WORDS = /^\s+[a-z]+(?:\s+[a-z]+){1,11}[.!]?\s*$/;

/** The rest of the value (at most 80 characters after `after`) is a clause of English words. */
function isSentenceAfter(text: string, after: number): boolean {
  return text.length - after <= 80 && PLAIN_WORDS.test(text.slice(after));
}

/**
 * Options, then two or more plain words and nothing else: the words a sentence goes on with, where an attack
 * names what the command acts on (`/`, `/tmp`, `*`, `~`, `x.sh`, an address, a number). Words only, so
 * `rm -rf tmp logs` reads as a sentence too: relative names of that kind are not what a probe deletes or lists.
 */
const FLAGS_THEN_WORDS = /^(?:\s+-{1,2}[a-z0-9][a-z0-9-]{0,20}){1,4}(?:\s+[a-z]+[,.!?]?){2,16}\s*$/;

function isSentenceAfterFlags(text: string, after: number): boolean {
  return text.length - after <= 160 && FLAGS_THEN_WORDS.test(text.slice(after));
}

/** Up to eight shell words after the first and nothing else, none a `name/1.2` product token or a comment in parentheses. */
const BARE_COMMAND_LINE = /^\s*[a-z0-9_.-]+(?:\s+[\w.:/=,@+~*-]+){1,8}\s*$/;

function isBareCommandLine(text: string): boolean {
  return text.length <= 120 && BARE_COMMAND_LINE.test(text) && !/\w\/v?\d/.test(text);
}

/** `&&` or `||` right before `start` (spaces between allowed). */
function isDoubledOperator(text: string, start: number, separator: number): boolean {
  if (separator !== 38 && separator !== 124) return false;
  return text.charCodeAt(start - 2) === separator;
}

/**
 * The text before the operator is one token with a digit, a dot inside it or
 * a closing quote: an address, a number, a file name, a quoted string. That
 * is the argument an app passes to its own command (`ping 127.0.0.1`), not
 * the first clause of a sentence (`Yes; find me later`).
 */
function followsExpectedArgument(text: string, start: number): boolean {
  let end = start - 1;
  while (end > 0 && (isSpaceLike(text.charCodeAt(end - 1)) || isOperatorOrBreak(text.charCodeAt(end - 1)))) end--;
  if (end === 0 || end > 64) return false;
  const token = text.slice(0, end);
  // Not `a=1&b=2`: a query string pasted into a value joins assignments, not commands.
  return /^[^\s=]+$/.test(token) && (/\d|\w\.\w/.test(token) || /^[\w.:/@-]*['"]$/.test(token));
}

/** Whether the rest of the line from `at` holds at most one word (quotes and spaces aside). Bounded to 80 characters. */
function atMostOneWordOnLine(text: string, at: number): boolean {
  const line = /^[^\r\n]{0,80}/.exec(text.slice(at, at + 81))?.[0] ?? "";
  if (line.length === 80) return false;
  return (
    line
      .trim()
      .split(/\s+/)
      .filter((w) => /\w/.test(w)).length <= 1
  );
}

/** `&`, `|` and the line breaks: what may stand between the expected argument and the command. */
function isOperatorOrBreak(c: number): boolean {
  return c === 38 || c === 124 || c === 10 || c === 13;
}

/** `sort=asc`: to a shell, a word glued to `=` assigns a variable; it runs nothing. */
function isAssignment(text: string, after: number): boolean {
  return text.charCodeAt(after) === 61;
}

/**
 * `` x`echo hi` ``, `$(id)`: a known command inside a command substitution
 * that closes. A backtick after a space is left out: that is how Markdown
 * quotes code in prose.
 */
function isClosedSubstitution(text: string, start: number, separator: number, after: number): boolean {
  if (separator === 96) return (start === 1 || !/\s/.test(text[start - 2] as string)) && text.indexOf("`", after) !== -1;
  return separator === 40 && text[start - 2] === "$" && text.indexOf(")", after) !== -1;
}

/** Up to four shell-word tokens after the command, one of them an option (`-m`, `--list`), and nothing else on the line. */
function hasLaterFlag(text: string, after: number): boolean {
  const rest = text.slice(after, after + 80);
  const tokens = rest.trim().split(/\s+/, 6);
  if (tokens.length > 5 || tokens.some((t) => !/^[\w.:/=,@+-]+$/.test(t))) return false;
  return tokens.some((t) => /^--?[a-z]/.test(t) || SCRIPT_FILE.test(t));
}

/**
 * `$c $a$b` after `c=cat`, `$SHELL -c "…"`, `;$a cat x`: a variable as the
 * command name. It counts when the value also assigns it, or when it is
 * given an option; an unset variable before a command (`$a cat`) expands to
 * nothing, so the next word is scored instead.
 */
function scoreVariableCommand(text: string, i: number, separator: number, kind: Kind, depth: number): number {
  VARIABLE.lastIndex = i;
  const variable = VARIABLE.exec(text);
  if (!variable) return 0;
  const name = variable[1] as string;
  const after = VARIABLE.lastIndex;
  const cautious = isCautious(kind);
  if (isAssigned(text, name)) return cautious ? 0.75 : 0.9;
  if (/^[\s+]+-{1,2}[a-z]/.test(text.slice(after, after + 4))) return cautious ? 0.6 : 0.85;
  if (/^\s/.test(text[after] ?? "")) return scoreCommandAt(text, after, separator, kind, depth + 1);
  return 0;
}

/** `name=` at the start of the value or of a command (after `;`, `&`, `|`, newline, space). */
function isAssigned(text: string, name: string): boolean {
  const needle = `${name}=`;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at === 0 ? "" : (text[at - 1] as string);
    if (before === "" || /[;&|\n\s`(=]/.test(before)) return true;
  }
  return false;
}

/** A file a command would read or run: `site.yml`, `x.sh`, `test.txt`. Prose rarely names one. */
const SCRIPT_FILE =
  /^[\w.-]{1,60}\.(?:sh|bash|txt|php|py|pl|rb|yml|yaml|conf|cfg|ini|log|bat|cmd|ps1|exe|dll|so|js|json|xml|key|pem|sql|db|tar|gz|zip)$/;

type Argument = "end" | "flag" | "path" | "operator" | "number" | "url" | "text";

/**
 * Whether the operator after a value's first word makes it a command line.
 * Titles and prose put a spaced `&` or `|` between words (`Copy & paste`,
 * `Start | Stop | Pause`), a space before a parenthesis (`Node (v20)`), or
 * compare (`node >= 18`); none of those reads as shell. The word after a
 * spaced operator is scored on its own when it is a command.
 */
function operatorContinuesShell(rest: string, separator: number, word: string): boolean {
  const op = /^(\s*)([;|&<>()]+)(\s*)([a-z]*)/.exec(rest);
  if (op === null) return true;
  const [, before, operator, spaceAfter, next] = op as unknown as [string, string, string, string, string];
  // A `)` glued to the first word closes nothing; inside `(sh)` or `$(id)` it ends the subshell.
  // `eval('ls')`, `phpinfo()`: a glued call is code that runs a command; `read()`, `tar(1)`, `Node (v20)` are names in prose.
  if (operator.startsWith("(")) {
    const call = rest.slice(before.length);
    // `chroot ()`: a shell function definition; `sleep(20)`: a timing probe in any language.
    if (before !== "") return /^\(\s*\)/.test(call);
    return DISTINCT_COMMANDS.has(word) || /^\(\s*['"`]/.test(call) || (NUMERIC_COMMANDS.has(word) && /^\(\s*\d/.test(call));
  }
  if (operator.startsWith(")") && before === "" && separator === 0) return false;
  if (operator === ">=" || operator === "<=" || operator === "=>" || rest.startsWith("=", before.length + operator.length)) return false;
  // "Docker; Git", "Certbot | OpenVPN": a product name in a list, the operator its punctuation. The next word is
  // scored on its own. `&&` and `||` still chain commands.
  if ((operator === ";" || operator === "|" || operator === "&") && spaceAfter !== "" && COMMON_SYSTEM_PROGRAMS.has(word)) return false;
  // "Time & Date", "Head & Tail": two everyday words joined by "and". The second is scored on its own.
  if (operator === "&" && before !== "" && spaceAfter !== "" && ENGLISH_WORDS.has(word) && ENGLISH_WORDS.has(next)) return false;
  if (/^[;|&]+$/.test(operator) && before !== "" && spaceAfter !== "" && next.length >= 2) return isCommandName(next);
  return true;
}

/** The word ends at `;` or `)` followed by a space, another `;`/`)` or the end: a token of a User-Agent's comment. */
function isWholeCommentToken(text: string, after: number): boolean {
  const end = text.charCodeAt(after);
  if (end !== 59 && end !== 41) return false;
  const next = text.charCodeAt(after + 1);
  return Number.isNaN(next) || next === 32 || next === 59 || next === 41;
}

/** What follows a command word, as a shell would see it. */
function shellArgument(rest: string, word: string): Argument {
  if (rest.length > 0 && !/^[\s<>|;&`)'"}$(+,]/.test(rest)) return "text";
  // `chmod +x`: a "+" after a space is a mode, not an encoded space.
  if (/^\s+\+[a-z]/.test(rest)) return "flag";
  const trimmed = rest.replace(/^[\s+,]+/, "");
  if (trimmed.length === 0) return "end";
  const c = trimmed[0] as string;
  // `;id #`, `;id #'`: an empty shell comment closing the value cuts off the rest of the app's command line. With
  // anything after it (`id #12`, `tail # blue`, `#tag`) it is prose's number sign, a hashtag or a note.
  if (c === "#" && trimmed.length < rest.length && /^#['"`\s]*$/.test(trimmed)) return "end";
  // `exec (` with nothing inside is prose or code, not a subshell.
  if (c === "(" && trimmed.slice(1).trim() === "") return "end";
  if (";|&`><)}'\"(".includes(c)) return "operator";
  // `-la`, `--list`, `-5`; a dash between words (`Tail -- the dog`, `copy - paste`) is punctuation.
  if (c === "-") return /^-(?:-[a-z]|[a-z0-9])/.test(trimmed) ? "flag" : "text";
  if (c === "/" && word !== "who") return "path";
  // `$HOME`, `~/x`, `./x`, `\\share`, `c:\`, `c:`, `%SYSTEMROOT%\x`.
  if (c === "$" || c === "~" || c === "." || c === "\\" || /^[a-z]:(?:[\\/]|$|[\s"'+|&;])|^%[a-z_][a-z0-9_]*%/.test(trimmed)) return "path";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(trimmed)) return "url";
  if (SCRIPT_FILE.test(/^\S{1,80}/.exec(trimmed)?.[0] ?? "")) return "path";
  if (/^\d/.test(trimmed)) return "number";
  return "text";
}
