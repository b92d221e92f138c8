/**
 * OS command injection: a command name where a shell would start a command
 * (after `;`, `|`, `&`, a newline, inside backticks or `$(…)`), or at the start
 * of a value with shell-shaped arguments. Quote and backslash tricks
 * (`c'a't`, `c\at`, `${IFS}`) are undone first, the way the shell would.
 */
import {
  AMPERSAND,
  ANGLE,
  BACKSLASH,
  BACKTICK,
  BANG,
  BRACE,
  BRACKET,
  COMMA,
  CONTROL,
  classesOf,
  DOLLAR,
  DOUBLE_QUOTE,
  EQUALS,
  MINUS,
  NON_ASCII,
  PAREN,
  PERCENT,
  PIPE,
  QUOTE,
  SEMICOLON,
  SLASH,
  SPACE,
  WILDCARD,
} from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { firstNonSpace, isSpaceLike, mayOpenWithCommand, scoreCommandAt } from "./command-line.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS } from "./commands.js";
import { findConstruct, PACKAGE_INSTALL_OPENER, PACKAGE_MANAGER_INITIALS, PLAIN_CONSTRUCTS } from "./constructs.js";
import { isEntityAfterAmpersand, isProseWithCodeSpans, isTableRow } from "./prose-marks.js";
import { braceCommand, disguisedWords, unshell } from "./unshell.js";

export { unshell };

/** A value opening with a word (after spaces and quotes, `""whoami` included): it may be a command line by itself. */
const OPENS_WITH_WORD = /^\s*(?:['"]+\s*)?[a-z]/i;

/** Classes of `; | & \` $ ( ) { } < > \ /`: a value with one of them may hold a command anywhere. */
const HINT_CLASSES = SEMICOLON | PIPE | AMPERSAND | BACKTICK | DOLLAR | PAREN | BRACE | ANGLE | BACKSLASH | SLASH;

/** Characters a shell payload needs somewhere (or a word to open with); a value with none of them is skipped cheaply. */
function hasShellHint(value: string, classes: number): boolean {
  return (
    (classes & HINT_CLASSES) !== 0 ||
    hasLineBreak(value, classes) ||
    isAsciiLetter(value.charCodeAt(0)) ||
    // `-oProxyCommand=id`, `--use-compress-program=sh`: an option injected into the app's own command line.
    value.charCodeAt(0) === 45 ||
    OPENS_WITH_WORD.test(value)
  );
}

function isAsciiLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
}

/** The CONTROL class also holds tabs and NUL: only CR and LF separate commands. */
function hasLineBreak(value: string, classes: number): boolean {
  return (classes & CONTROL) !== 0 && (value.indexOf("\n") !== -1 || value.indexOf("\r") !== -1);
}

/**
 * cmd.exe batch syntax: `FOR /F … IN (…) DO`, `IF ERRORLEVEL`, `%%G` loop variables. An `IF … ==` operand
 * never opens with a backtick: `` if `a == b` `` is Markdown quoting a comparison, and cmd.exe compares with `==`
 * alone: `if (a.type === 'bytes') {` and `if (x !== y)` are JavaScript.
 */
const BATCH =
  /\bfor\s+(?:\/[dlrf]\b|%%?\S\s+in\b|%%?\w{1,20}\s+in\s*\()|\bif\s+(?:\/i\s+)?(?:not\s+)?(?:errorlevel\b|exist\s|defined\s|\S{1,40}\s+(?:equ|neq|lss|leq|gtr|geq)\s|(?:"[^"\n]{0,40}"|[^\s`]\S{0,39})\s*(?<![=!])==(?!=))|%errorlevel%/;

/**
 * `peso argentino (ARP)`, `Secure Shell (SSH)`: an acronym in capitals, in parentheses after a word and a space, is
 * prose spelling out a name. A shell rejects `word (` (bash) or passes it as an argument (cmd.exe), and programs are
 * named in lower case; `hello (whoami)` and `x; (ARP)` are still read as commands. Its parentheses become spaces (the
 * length is kept, so evidence offsets hold).
 */
const ACRONYM_ASIDE = /(?<=[\p{L}\p{M}\p{N}.,:] )\(([A-Z][A-Z0-9]{1,7})\)/gu;

function withoutAcronymAsides(value: string): string {
  return value.indexOf(" (") === -1 ? value : value.replace(ACRONYM_ASIDE, " $1 ");
}

/**
 * Shellshock (CVE-2014-6271), a function definition in an environment variable, and shell functions such as the
 * fork bomb `f(){ f|f& };f`: `()` then `{` at the start, after `=`, `:` or `;`, or after a function's name. Not
 * inside a run of punctuation (a code page's table of brackets, `()(){}`), and not JavaScript's anonymous
 * `function () {`, which bash rejects (its `function` keyword needs a name).
 */
const SHELLSHOCK = /(?:^|[=:;\w]\s*)\(\s*\)\s*\{/g;

/**
 * `() {` opening the value (or after `=`, `:`, `;`) is Shellshock's own prefix, closed or not. After a name, a
 * definition only runs once its body is closed and the name is then called (`f(){ f|f& };f`), while a line of
 * JavaScript quoted from a README (`function printBoo () {`, `stream.on('end', fn() {`) stops at the `{`, and Go, C or
 * Kotlin posted to a forum (`func main() { … }`, `int main() { … }`) defines a function no command calls. (The
 * anonymous-function test is code, not a lookbehind in SHELLSHOCK: `(?<!function\s*)` rescans every run of spaces,
 * quadratic on a long one.)
 */
function isShellFunctionDefinition(text: string): boolean {
  const lastBrace = text.lastIndexOf("}");
  SHELLSHOCK.lastIndex = 0;
  for (let match = SHELLSHOCK.exec(text); match !== null; match = SHELLSHOCK.exec(text)) {
    // The match starts at the name's last character, or at `=`, `:`, `;`, or the value's start.
    if (!/\w/.test(match[0].charAt(0))) return true;
    if (isAnonymousFunction(text, match.index)) continue;
    if (lastBrace >= match.index + match[0].length && (OPENS_WITH_SEPARATOR.test(text) || isCalledAfter(text, match.index, lastBrace)))
      return true;
  }
  return false;
}

/**
 * Whether the function whose name ends at `nameEnd` (inclusive) is run as a command after `from`: its name right
 * after `;`, `&`, `|` or a line break, as in `f(){ f|f& };f` or `x() { id; }\nx`. Names past 64 characters are none.
 */
function isCalledAfter(text: string, nameEnd: number, from: number): boolean {
  let start = nameEnd;
  while (start > 0 && nameEnd - start < 64 && /\w/.test(text.charAt(start - 1))) start--;
  const name = text.slice(start, nameEnd + 1);
  for (let at = text.indexOf(name, from); at !== -1; at = text.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before > from && (text.charAt(before) === " " || text.charAt(before) === "\t")) before--;
    if (!COMMAND_OPENERS.has(text.charAt(before))) continue;
    if (!/\w/.test(text.charAt(at + name.length))) return true;
  }
  return false;
}

/** A value that opens by ending the app's command (`;gcc<<<'main(){}'`): what follows is shell, not posted code. */
const OPENS_WITH_SEPARATOR = /^\s*[;&|]/;

/** What a command follows on a line of shell: a separator or a line break. */
const COMMAND_OPENERS: ReadonlySet<string> = new Set([";", "&", "|", "\n", "\r"]);

/** Whether the word ending at `end` (inclusive) is `function`: JavaScript's anonymous `function () {`. */
function isAnonymousFunction(text: string, end: number): boolean {
  const start = end - 7;
  return start >= 0 && text.startsWith("function", start) && (start === 0 || !/\w/.test(text.charAt(start - 1)));
}

/** Code that runs a command from an interpreted language: `system('id')`; with a space before `(`, only a string or variable argument (`system (ie, …)` is prose). */
const EXEC_CALL =
  /\b(?:system|passthru|shell_exec|popen|proc_open|pcntl_exec|exec|execsync|spawnsync|spawn|runtime\.getruntime\(\)\.exec|child_process)(?:\(\s*[^\s)]|\s+\(\s*['"`$])|require\s*\(\s*['"]child_process/;

/**
 * A root-anchored path written with globs to dodge word filters: `/???/??t /e??/p?ss??`, `/etc/pa[s]swd`. A segment
 * is letters up to its first `?`/`*` and anything after, or has one `[`: a run of `?` splits only one way (linear).
 */
const GLOB_PATH = /(?:^|[\s;|&`=(,{+])\/(?:[a-z]*[?*][a-z?*\]-]*|[a-z?*]*\[[a-z?*\]-]*)\/[a-z?*[\]-]+/;

export const cmdiDetector: Detector = {
  class: "cmdi",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    const classes = classesOf(candidate);
    if (!hasShellHint(value, classes)) return undefined;
    if (!hasShellSyntax(value, classes)) {
      // The hot path: prose and identifiers. Lowercase only what may be a command line.
      if (!mayOpenWithCommand(value) && !mayHoldPlainConstruct(value, classes)) return undefined;
      return detectPlain(value.toLowerCase(), candidate.kind, candidate.name);
    }
    const lower = withoutAcronymAsides(value).toLowerCase();
    const text = unshell(lower);
    if (isShellFunctionDefinition(text)) return finding(0.98, "shellshock function definition", text);
    const batch = BATCH.exec(text);
    if (batch && candidate.kind !== "header") return finding(0.85, "cmd.exe batch syntax", text.slice(batch.index));
    let best: Finding | undefined;
    const proseSpans = text.indexOf("`") !== -1 && isProseWithCodeSpans(text);
    for (const position of commandPositions(text, proseSpans)) {
      const score = scoreAt(text, position, candidate.kind, proseSpans);
      if (score > (best?.score ?? 0))
        best = finding(score, position.separator ? "command after shell operator" : "shell command", text.slice(position.index));
      if (score >= 0.95) return best;
    }
    const construct = findConstruct(text) ?? findConstruct(lower);
    if (construct && construct.construct.score > (best?.score ?? 0))
      best = finding(cautiousScore(construct.construct.score, candidate.kind), construct.construct.label, text.slice(construct.index));
    const brace = braceCommand(text, isKnownCommand);
    if (brace !== undefined && 0.85 > (best?.score ?? 0)) best = finding(cautiousScore(0.85, candidate.kind), "brace expansion", brace);
    for (const word of disguisedWords(lower)) {
      if (isKnownCommand(word) && 0.9 > (best?.score ?? 0)) best = finding(cautiousScore(0.9, candidate.kind), "disguised command", word);
    }
    const ifs = ifsCommand(lower);
    if (ifs !== undefined && 0.9 > (best?.score ?? 0)) best = finding(cautiousScore(0.9, candidate.kind), "$IFS for a space after", ifs);
    const exec = EXEC_CALL.exec(text);
    if (exec && 0.85 > (best?.score ?? 0)) best = finding(0.85, "command execution call", text.slice(exec.index));
    const glob = GLOB_PATH.exec(text);
    if (glob && 0.85 > (best?.score ?? 0)) best = finding(0.85, "globbed system path", glob[0]);
    return best;
  },
};

/**
 * `cat${IFS}/etc/passwd`, `echo$IFS$9x`: nobody spells a space as `$IFS` but
 * a payload getting past a filter that refuses spaces. The word glued before
 * it is the command when it is one (at most 8 are examined).
 */
function ifsCommand(lower: string): string | undefined {
  let at = lower.indexOf("$");
  for (let n = 0; at !== -1 && n < 8; at = lower.indexOf("$", at + 1)) {
    if (!lower.startsWith("ifs", at + 1) && !lower.startsWith("{ifs}", at + 1)) continue;
    n++;
    let start = at;
    while (start > 0 && at - start < 24 && isWordCharacter(lower.charCodeAt(start - 1))) start--;
    if (start < at && isKnownCommand(lower.slice(start, at))) return lower.slice(start, at);
    // `${IFS}id`, `$IFS$()id`, `;$IFS$9cat x`: the spaced-out separator before the command instead of after it.
    const word = wordAfterIfs(lower, at + (lower.charCodeAt(at + 1) === 123 ? 6 : 4));
    if (word !== undefined && isKnownCommand(word)) return word;
  }
  return undefined;
}

/** `$9`, `$()`, `${}`: what payloads glue after `$IFS` so the next letters do not extend the variable's name. */
const IFS_GLUE = /\$(?:\d|\(\)|\{\})/y;

/** The command word at `from`, just past a `$IFS` and any glue after it; undefined when none starts there. */
function wordAfterIfs(lower: string, from: number): string | undefined {
  IFS_GLUE.lastIndex = from;
  const start = IFS_GLUE.test(lower) ? IFS_GLUE.lastIndex : from;
  let end = start;
  while (end < lower.length && end - start < 24 && isWordCharacter(lower.charCodeAt(end))) end++;
  return end > start ? lower.slice(start, end) : undefined;
}

/** `[a-z0-9_.-]`: what a command name is spelled with. */
function isWordCharacter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/** What a value without shell syntax needs for a plain construct or batch syntax to match (see PLAIN_CONSTRUCTS, BATCH). */
const PLAIN_TRIGGER = /alias|netsh|reg|!|\s-e|\s\/|,-c,|\bif\s|\bfor\s|command=|--[a-z]|core\.|queuedirectory/i;

/**
 * Every plain construct and batch line needs one of these besides letters: a
 * space between words (`netsh firewall`, `if exist`), `=` (`alias a=b`), `!`
 * (an editor's shell escape) or `,` (`sh,-c,id`). A single word or an e-mail
 * address is turned away without the regex.
 */
const PLAIN_CONSTRUCT_CLASSES = SPACE | CONTROL | NON_ASCII | EQUALS | BANG | COMMA;

function mayHoldPlainConstruct(value: string, classes: number): boolean {
  if ((classes & PLAIN_CONSTRUCT_CLASSES) === 0) return false;
  if (PACKAGE_MANAGER_INITIALS.has(value.charCodeAt(firstNonSpace(value)) | 32) && PACKAGE_INSTALL_OPENER.test(value)) return true;
  // Tabs and Unicode spaces (`\s` to the regexes), `!`, `=` and `/`: the full trigger decides.
  if ((classes & (CONTROL | NON_ASCII | BANG | EQUALS | SLASH)) !== 0) return PLAIN_TRIGGER.test(value);
  // Prose: words, spaces, `, - . _ @ +`. Left are `sh,-c,`, `powershell -e…`, and `netsh`, `reg` or `if` opening a clause.
  if ((classes & MINUS) !== 0 && hasDashOption(value)) return true;
  return hasClauseWord(value);
}

/** ` -e` (`powershell -enc`) or `,-c,` (`sh,-c,id`), in either case. */
function hasDashOption(value: string): boolean {
  return value.indexOf(" -e") !== -1 || value.indexOf(" -E") !== -1 || value.indexOf(",-c,") !== -1 || value.indexOf(",-C,") !== -1;
}

/**
 * True when the text before some space ends with a word that opens a plain
 * construct or a batch condition (`netsh firewall`, `reg add`, `if exist`,
 * also `netsh.exe`, `reg.exe`), in any case: a superset of the regexes'
 * `\bword\s`. The letter before the space picks the one word to compare.
 */
function hasClauseWord(value: string): boolean {
  for (let space = value.indexOf(" "); space !== -1; space = value.indexOf(" ", space + 1)) {
    if (space === 0) continue;
    const last = value.charCodeAt(space - 1) | 32;
    if (last === 104 && endsWithWordAt(value, space, "netsh")) return true;
    if (last === 103 && endsWithWordAt(value, space, "reg")) return true;
    if (last === 102 && endsWithWordAt(value, space, "if")) return true;
    if (last === 101 && (endsWithWordAt(value, space, "netsh.exe") || endsWithWordAt(value, space, "reg.exe"))) return true;
  }
  return false;
}

function endsWithWordAt(value: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let i = 0; i < word.length; i++) if ((value.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/** Classes of the characters that let a value do more than name one command with arguments: `; | & \` $ ( ) { } < > ' " \ * ? %`. */
const SYNTAX_CLASSES =
  SEMICOLON | PIPE | AMPERSAND | BACKTICK | DOLLAR | PAREN | BRACE | ANGLE | QUOTE | DOUBLE_QUOTE | BACKSLASH | WILDCARD | PERCENT;

/** Shell syntax: the classes above, `[` (the BRACKET class also holds `]`), CR or LF. */
function hasShellSyntax(value: string, classes: number): boolean {
  if ((classes & SYNTAX_CLASSES) !== 0) return true;
  if ((classes & BRACKET) !== 0 && value.indexOf("[") !== -1) return true;
  return hasLineBreak(value, classes);
}

/**
 * Fields that name a person or an account (`username`, `login`, `accountName`,
 * `email`): their value is an identifier the app stores or compares, not a
 * whole command line it runs. `QUSER` is an IBM i account name as well as a
 * Windows command.
 */
const IDENTIFIER_FIELD = /user|login|account|owner|author|nick|handle|name|e-?mail/i;
/** ...unless the field names a program (`commandName`, `execUser`, `scriptName`): a tool that runs what it is given. */
const PROGRAM_FIELD = /cmd|command|exec|run|program|script|shell|tool/i;

/**
 * A request path without shell syntax or spaces names a resource: `/api/whoami`, `/tools/base64`, `/wiki/Sudo`. It
 * reads as a command only where it is a program's own path in a system directory, as a CGI handler might run it.
 */
const SYSTEM_PROGRAM_PATH = /^\/(?:usr\/(?:local\/)?)?s?bin\/[^/]+$/;
/** Whitespace or `+` (a space a client did not encode): what separates a command from its arguments. */
const WORD_BREAK = /[\s+]/;

function isResourcePath(lower: string, kind: Candidate["kind"]): boolean {
  return kind === "path" && !WORD_BREAK.test(lower) && !SYSTEM_PROGRAM_PATH.test(lower);
}

/** A value without shell syntax can only be a command line by itself: `whoami`, `sleep 5`, `net user x /add`. */
function detectPlain(lower: string, kind: Candidate["kind"], name: string | undefined): Finding | undefined {
  // One word in an identifier field is the identifier: a command alone runs only where the whole value is the command.
  if (name !== undefined && lower.indexOf(" ") === -1 && IDENTIFIER_FIELD.test(name) && !PROGRAM_FIELD.test(name)) return undefined;
  const score = mayOpenWithCommand(lower) && !isResourcePath(lower, kind) ? scoreCommandAt(lower, 0, 0, kind) : 0;
  const construct = findConstruct(lower, PLAIN_CONSTRUCTS);
  if (construct && construct.construct.score > score)
    return finding(cautiousScore(construct.construct.score, kind), construct.construct.label, lower.slice(construct.index));
  if (score > 0) return finding(score, "shell command", lower);
  if (kind !== "header" && (lower.indexOf("if ") !== -1 || lower.indexOf("for ") !== -1)) {
    const batch = BATCH.exec(lower);
    if (batch) return finding(0.85, "cmd.exe batch syntax", lower.slice(batch.index));
  }
  return undefined;
}

/** In headers and paths, free text written by clients, a construct counts a little less. */
function cautiousScore(score: number, kind: Candidate["kind"]): number {
  return kind === "header" || kind === "path" ? Math.min(score, 0.75) : score;
}

export function isKnownCommand(word: string): boolean {
  const name = versionless(word);
  return DISTINCT_COMMANDS.has(name) || COMMON_COMMANDS.has(name);
}

/** `python3.10` → `python`, `pip3` → `pip`: interpreters are installed under versioned names. */
function versionless(word: string): string {
  if (DISTINCT_COMMANDS.has(word) || COMMON_COMMANDS.has(word)) return word;
  const match = /^([a-z][a-z-]*?)\d+(?:\.\d+){0,2}$/.exec(word);
  return match ? (match[1] as string) : word;
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "cmdi", score, evidence: evidenceOf(label, excerpt) };
}

interface Position {
  readonly index: number;
  /** The shell operator before the command (`;`, `|`, `&`, backtick, newline, `(`, `{`), or 0 at the start. */
  readonly separator: number;
  /** The position opens a backtick span of several words in prose (see ./prose-marks.ts). */
  readonly codeSpan?: boolean;
  /** Only a distinct program counts here (a `(` after a space). */
  readonly distinctOnly?: boolean;
}

/**
 * The score of the command at one position. A backtick span in prose
 * (`` Run `npm test` first ``) quotes code for a reader, and a parenthesis
 * after a space is prose's: unless the first word there is a distinct
 * program (`curl`, `nc`, `whoami`), it is not taken for a command.
 */
function scoreAt(text: string, position: Position, kind: Candidate["kind"], proseSpans: boolean): number {
  const score = scoreCommandAt(text, position.index, position.separator, kind, 0, proseSpans);
  if ((position.codeSpan !== true && position.distinctOnly !== true) || score <= 0.5) return score;
  const first = /^\s*(?:\.{0,2}\/)?([a-z0-9_.-]+)/.exec(text.slice(position.index, position.index + 40))?.[1] ?? "";
  return DISTINCT_COMMANDS.has(first.endsWith(".exe") ? first.slice(0, -4) : first) ? score : 0.5;
}

/** A word, then one to eight plain words, then the closing parenthesis. */
const PARENTHETICAL_WORDS = /^\s*[a-z0-9_.-]+(?:\s+[a-z]+){1,8}\s*\)/i;

/** Where a shell would read a command name. */
function* commandPositions(text: string, proseSpans: boolean): Generator<Position> {
  yield { index: 0, separator: 0 };
  // A closing backtick ends a substitution: the text after it continues the same command.
  let backticks = 0;
  const tableRow = text.indexOf("|") !== -1 && isTableRow(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 96) {
      if (backticks++ % 2 === 1) continue;
      if (proseSpans) {
        // A one-word span in prose (`` the `uname` field ``, `` call `read()` ``) names a thing; it runs nothing.
        const close = text.indexOf("`", i + 1);
        const content = text.slice(i + 1, close).trim();
        if (!/\s/.test(content)) continue;
        yield { index: i + 1, separator: c, codeSpan: true };
        continue;
      }
    }
    if ((c === 124 && tableRow) || (c === 38 && isEntityAfterAmpersand(text, i))) continue;
    // ; | & ` newline, "{" (brace expansion `{cat,/etc/passwd}`), "$(" and "(" after an operator.
    if (c === 59 || c === 124 || c === 38 || c === 96 || c === 10 || c === 13 || c === 123) {
      yield { index: i + 1, separator: c };
    } else if (c === 40 && i > 0 && (text.charCodeAt(i - 1) === 36 || isOperator(text.charCodeAt(i - 1)))) {
      yield { index: i + 1, separator: c };
    } else if (c === 40 && i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) {
      // "On Windows (cmd.exe and PowerShell), run …": a parenthesis after a space that closes on plain words is an aside
      // naming programs (a shell rejects `word (` anyway); nothing in it, even after a line break, is a command.
      const aside = PARENTHETICAL_WORDS.exec(text.slice(i + 1, i + 121));
      if (aside !== null) {
        i += aside[0].length;
        continue;
      }
      // After a space a `(` is mostly prose (`report (copy).pdf`); it counts with a distinct program inside (`"sys"."tem" ('uname')`).
      yield { index: i + 1, separator: c, distinctOnly: true };
    } else {
      continue;
    }
    // scoreCommandAt skips the spaces and "(" after an operator to reach the command: a "(" among them
    // leads to the same command, and yielding each one made `((((…` quadratic.
    while (i + 1 < text.length && isSpaceLike(text.charCodeAt(i + 1))) i++;
  }
}

/** `;|&(` and newline open a subshell with `(`; after a space, `(` is prose's parenthesis (`report (copy).pdf`). */
function isOperator(c: number): boolean {
  return c === 59 || c === 124 || c === 38 || c === 40 || c === 10;
}
