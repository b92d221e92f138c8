/**
 * OS command injection: a command name where a shell would start a command
 * (after `;`, `|`, `&`, a newline, inside backticks or `$(…)`), or at the start
 * of a value with shell-shaped arguments. Quote and backslash tricks
 * (`c'a't`, `c\at`, `${IFS}`) are undone first, the way the shell would.
 */
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS, NET_SUBCOMMANDS, NUMERIC_COMMANDS, STANDALONE_COMMANDS, WRAPPERS } from "./commands.js";
import { findConstruct } from "./constructs.js";
import { disguisedWords, unshell } from "./unshell.js";

export { unshell };

/** Characters a shell payload needs somewhere; a value with none of them is skipped cheaply. */
const SHELL_HINT = /[;|&`$\n\r(){}<>\\]|^\s*[a-z]/i;

/** cmd.exe batch syntax: `FOR /F … IN (…) DO`, `IF ERRORLEVEL`, `%%G` loop variables. */
const BATCH =
  /\bfor\s+(?:\/[dlrf]\b|%%?\S\s+in\b)|\bif\s+(?:\/i\s+)?(?:not\s+)?(?:errorlevel\b|exist\s|defined\s|\S{1,40}\s+(?:equ|neq|lss|leq|gtr|geq)\s|(?:"[^"\n]{0,40}"|\S{0,40})\s*==)|%errorlevel%/;

/** A value that is a program in a binary directory: `/bin/ab`, `/usr/local/sbin/x`, and relative `usr/bin/id`. */
const BINARY_PATH = /^(?:\/?usr(?:\/local)?)?\/?s?bin\/[a-z0-9_.-]+/;

/** Shellshock: a function definition in an environment variable (CVE-2014-6271). */
const SHELLSHOCK = /\(\s*\)\s*\{/;

/** Code that runs a command from an interpreted language. */
const EXEC_CALL =
  /\b(?:system|passthru|shell_exec|popen|proc_open|pcntl_exec|exec|execsync|spawnsync|spawn|runtime\.getruntime\(\)\.exec|child_process)\s*\(\s*[^\s)]|require\s*\(\s*['"]child_process/;

/** A root-anchored path written with globs to dodge word filters: `/???/??t /e??/p?ss??`, `/etc/pa[s]swd`. */
const GLOB_PATH = /(?:^|[\s;|&`=(,{])\/[a-z?*]*[?*[][a-z?*\]-]*\/[a-z?*[\]-]+/;

export const cmdiDetector: Detector = {
  class: "cmdi",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    if (!SHELL_HINT.test(value) && value.indexOf("/") === -1) return undefined;
    const lower = value.toLowerCase();
    if (!SHELL_SYNTAX.test(value)) return detectPlain(lower, candidate.kind);
    const text = unshell(lower);
    if (SHELLSHOCK.test(text)) return finding(0.98, "shellshock function definition", text);
    const batch = BATCH.exec(text);
    if (batch && candidate.kind !== "header") return finding(0.85, "cmd.exe batch syntax", text.slice(batch.index));
    let best: Finding | undefined;
    for (const position of commandPositions(text)) {
      const score = scoreCommandAt(text, position.index, position.separator, candidate.kind);
      if (score > (best?.score ?? 0))
        best = finding(score, position.separator ? "command after shell operator" : "shell command", text.slice(position.index));
      if (score >= 0.95) return best;
    }
    const construct = findConstruct(text);
    if (construct && construct.construct.score > (best?.score ?? 0))
      best = finding(cautiousScore(construct.construct.score, candidate.kind), construct.construct.label, text.slice(construct.index));
    for (const word of disguisedWords(lower)) {
      if (isKnownCommand(word) && 0.9 > (best?.score ?? 0)) best = finding(cautiousScore(0.9, candidate.kind), "disguised command", word);
    }
    const exec = EXEC_CALL.exec(text);
    if (exec && 0.85 > (best?.score ?? 0)) best = finding(0.85, "command execution call", text.slice(exec.index));
    const glob = GLOB_PATH.exec(text);
    if (glob && 0.85 > (best?.score ?? 0)) best = finding(0.85, "globbed system path", glob[0]);
    return best;
  },
};

/** Characters that let a value do more than name one command with arguments. */
const SHELL_SYNTAX = /[;|&`$\n\r(){}<>'"\\[*?%]/;

/** A value without shell syntax can only be a command line by itself: `whoami`, `sleep 5`, `net user x /add`. */
function detectPlain(lower: string, kind: Candidate["kind"]): Finding | undefined {
  const score = scoreCommandAt(lower, 0, 0, kind);
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

function isKnownCommand(word: string): boolean {
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
}

/** Where a shell would read a command name. */
function* commandPositions(text: string): Generator<Position> {
  yield { index: 0, separator: 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ; | & ` newline, "{" (brace expansion `{cat,/etc/passwd}`), "$(" and "(" after an operator.
    if (c === 59 || c === 124 || c === 38 || c === 96 || c === 10 || c === 13 || c === 123) {
      yield { index: i + 1, separator: c };
    } else if (c === 40 && i > 0 && (text.charCodeAt(i - 1) === 36 || isOperator(text.charCodeAt(i - 1)))) {
      yield { index: i + 1, separator: c };
    }
  }
}

function isOperator(c: number): boolean {
  return c === 59 || c === 124 || c === 38 || c === 40 || c === 32 || c === 10;
}

const WORD = /[a-z0-9_.-]+/y;
/** A program path (`/bin/`, `/usr/bin/`, `./`, `c:/windows/system32/`) before the command name. */
const PROGRAM_DIR = /(?:[a-z]:[\\/][a-z0-9_ .\\/-]*[\\/]|\.{0,2}\/(?:[a-z0-9_.-]+\/)*)/y;

function scoreCommandAt(text: string, start: number, separator: number, kind: Candidate["kind"], depth = 0): number {
  let i = start;
  // Spaces, tabs, "+" (a URL-encoded space that was not decoded) and "(" may precede the command.
  while (
    i < text.length &&
    (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 43 || text.charCodeAt(i) === 40)
  )
    i++;
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
  if (WRAPPERS.has(word) && depth < 2) {
    const wrapped = scoreCommandAt(text, after, separator, kind, depth + 1);
    if (wrapped > 0) return wrapped;
  }
  const distinct = DISTINCT_COMMANDS.has(word);
  const common = !distinct && COMMON_COMMANDS.has(word);
  const argument = shellArgument(text.slice(after, after + 40), word);
  const shellish = argument === "flag" || argument === "path" || argument === "operator" || argument === "url";
  const cautiousKind = kind === "header" || kind === "path";
  if (!distinct && !common) {
    // An unknown program: still an injection when it sits in a binary directory, or opens the value after a shell operator.
    if (hasDir && BINARY_PATH.test(text.slice(start).trimStart())) return cautiousKind ? 0.5 : separator !== 0 ? 0.9 : 0.75;
    const opensValue = separator !== 0 && /^[\s'"]*$/.test(text.slice(0, start - 1));
    if (opensValue && (argument === "flag" || argument === "path") && separator !== 10 && !cautiousKind) return 0.75;
    return 0;
  }
  if (hasDir && separator !== 0) return cautiousKind ? 0.7 : 0.9;
  // Headers are free text written by clients (User-Agent has `;` and words); only the clearest patterns count there.
  const cautious = kind === "header" || kind === "path";
  if (word === "net" && NET_SUBCOMMANDS.has(/^[\s+]+([a-z]+)/.exec(text.slice(after, after + 20))?.[1] ?? "")) return cautious ? 0.6 : 0.85;
  if (separator !== 0) {
    // A newline separates commands too, but also lines of prose in a textarea.
    const strongSeparator = separator !== 10 && separator !== 13;
    if (distinct && (argument !== "text" || hasDir)) return cautious ? 0.8 : 0.95;
    if (distinct) return strongSeparator && !cautious ? 0.8 : 0.5;
    if (shellish || (argument === "number" && NUMERIC_COMMANDS.has(word))) return cautious ? 0.7 : 0.9;
    if (argument === "end" && !cautious) return strongSeparator ? 0.8 : 0.75;
    return 0.5;
  }
  if (hasDir && distinct) return cautious ? 0.7 : 0.9;
  if (shellish) return distinct ? (cautious ? 0.6 : 0.85) : cautious ? 0.5 : 0.75;
  if (argument === "end" && STANDALONE_COMMANDS.has(word) && !cautious) return 0.8;
  // `sleep 5` alone is a timing probe; `ping 127.0.0.1` alone is what a diagnostics form legitimately receives.
  if (argument === "number" && NUMERIC_COMMANDS.has(word)) return word === "sleep" || word === "timeout" ? 0.75 : 0.6;
  return 0;
}

type Argument = "end" | "flag" | "path" | "operator" | "number" | "url" | "text";

/** What follows a command word, as a shell would see it. */
function shellArgument(rest: string, word: string): Argument {
  if (rest.length > 0 && !/^[\s<>|;&`)'"}$(+,]/.test(rest)) return "text";
  const trimmed = rest.replace(/^[\s+,]+/, "");
  if (trimmed.length === 0) return "end";
  const c = trimmed[0] as string;
  if (
    c === ";" ||
    c === "|" ||
    c === "&" ||
    c === "`" ||
    c === ">" ||
    c === "<" ||
    c === ")" ||
    c === "}" ||
    c === "'" ||
    c === '"' ||
    c === "("
  )
    return "operator";
  if (c === "-" || (c === "/" && word !== "who")) return c === "-" ? "flag" : "path";
  if (c === "$" || c === "~" || c === "." || c === "\\" || /^[a-z]:[\\/]/.test(trimmed)) return "path";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(trimmed)) return "url";
  if (/^\d/.test(trimmed)) return "number";
  return "text";
}
