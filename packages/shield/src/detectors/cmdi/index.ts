/**
 * OS command injection: a command name where a shell would start a command
 * (after `;`, `|`, `&`, a newline, inside backticks or `$(…)`), or at the start
 * of a value with shell-shaped arguments. Quote and backslash tricks
 * (`c'a't`, `c\at`, `${IFS}`) are undone first, the way the shell would.
 */
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { mayOpenWithCommand, scoreCommandAt } from "./command-line.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS } from "./commands.js";
import { findConstruct, PLAIN_CONSTRUCTS } from "./constructs.js";
import { braceCommand, disguisedWords, unshell } from "./unshell.js";

export { unshell };

/** Characters a shell payload needs somewhere; a value with none of them is skipped cheaply. */
const SHELL_HINT = /[;|&`$\n\r(){}<>\\]|^\s*(?:['"]\s*)?[a-z]/i;

/** cmd.exe batch syntax: `FOR /F … IN (…) DO`, `IF ERRORLEVEL`, `%%G` loop variables. */
const BATCH =
  /\bfor\s+(?:\/[dlrf]\b|%%?\S\s+in\b)|\bif\s+(?:\/i\s+)?(?:not\s+)?(?:errorlevel\b|exist\s|defined\s|\S{1,40}\s+(?:equ|neq|lss|leq|gtr|geq)\s|(?:"[^"\n]{0,40}"|\S{0,40})\s*==)|%errorlevel%/;

/** Shellshock: a function definition in an environment variable (CVE-2014-6271). */
const SHELLSHOCK = /\(\s*\)\s*\{/;

/** Code that runs a command from an interpreted language. */
const EXEC_CALL =
  /\b(?:system|passthru|shell_exec|popen|proc_open|pcntl_exec|exec|execsync|spawnsync|spawn|runtime\.getruntime\(\)\.exec|child_process)\s*\(\s*[^\s)]|require\s*\(\s*['"]child_process/;

/** A root-anchored path written with globs to dodge word filters: `/???/??t /e??/p?ss??`, `/etc/pa[s]swd`. */
const GLOB_PATH = /(?:^|[\s;|&`=(,{+])\/[a-z?*]*[?*[][a-z?*\]-]*\/[a-z?*[\]-]+/;

export const cmdiDetector: Detector = {
  class: "cmdi",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    if (!SHELL_HINT.test(value) && value.indexOf("/") === -1) return undefined;
    if (!SHELL_SYNTAX.test(value)) {
      // The hot path: prose and identifiers. Lowercase only what may be a command line.
      if (!mayOpenWithCommand(value) && !PLAIN_TRIGGER.test(value)) return undefined;
      return detectPlain(value.toLowerCase(), candidate.kind);
    }
    const lower = value.toLowerCase();
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
    const construct = findConstruct(text) ?? findConstruct(lower);
    if (construct && construct.construct.score > (best?.score ?? 0))
      best = finding(cautiousScore(construct.construct.score, candidate.kind), construct.construct.label, text.slice(construct.index));
    const brace = braceCommand(text, isKnownCommand);
    if (brace !== undefined && 0.85 > (best?.score ?? 0)) best = finding(cautiousScore(0.85, candidate.kind), "brace expansion", brace);
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

/** What a value without shell syntax needs for a plain construct or batch syntax to match (see PLAIN_CONSTRUCTS, BATCH). */
const PLAIN_TRIGGER = /alias|netsh|reg|!|\s-e|\s\/|,-c,|\bif\s|\bfor\s/i;

/** Characters that let a value do more than name one command with arguments. */
const SHELL_SYNTAX = /[;|&`$\n\r(){}<>'"\\[*?%]/;

/** A value without shell syntax can only be a command line by itself: `whoami`, `sleep 5`, `net user x /add`. */
function detectPlain(lower: string, kind: Candidate["kind"]): Finding | undefined {
  const score = mayOpenWithCommand(lower) ? scoreCommandAt(lower, 0, 0, kind) : 0;
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
