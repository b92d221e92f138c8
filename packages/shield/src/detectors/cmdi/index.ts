/**
 * OS command injection: a command name where a shell would start a command
 * (after `;`, `|`, `&`, a newline, inside backticks or `$(…)`), or at the start
 * of a value with shell-shaped arguments. Quote and backslash tricks
 * (`c'a't`, `c\at`, `${IFS}`) are undone first, the way the shell would.
 */
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS, NUMERIC_COMMANDS } from "./commands.js";

/** Characters a shell payload needs somewhere; a value with none of them is skipped cheaply. */
const SHELL_HINT = /[;|&`$\n\r(){}<>]|^\s*[a-z]/i;

/** Shellshock: a function definition in an environment variable (CVE-2014-6271). */
const SHELLSHOCK = /\(\s*\)\s*\{/;

/** Code that runs a command from an interpreted language. */
const EXEC_CALL =
  /\b(?:system|passthru|shell_exec|popen|proc_open|pcntl_exec|exec|execsync|spawnsync|spawn|runtime\.getruntime\(\)\.exec|child_process)\s*\(|require\s*\(\s*['"]child_process/;

/** A root-anchored path written with globs to dodge word filters: `/???/??t /e??/p?ss??`, `/etc/pa[s]swd`. */
const GLOB_PATH = /(?:^|[\s;|&`=(])\/[a-z?*]*[?*[][a-z?*\]-]*\/[a-z?*[\]-]+/;

export const cmdiDetector: Detector = {
  class: "cmdi",
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    if (!SHELL_HINT.test(value) && value.indexOf("/") === -1) return undefined;
    const text = unshell(value.toLowerCase());
    if (SHELLSHOCK.test(text)) return finding(0.98, "shellshock function definition", text);
    let best: Finding | undefined;
    for (const position of commandPositions(text)) {
      const score = scoreCommandAt(text, position.index, position.separated, candidate.kind);
      if (score > (best?.score ?? 0)) best = finding(score, position.separated ? "command after shell operator" : "shell command", text.slice(position.index));
      if (score >= 0.95) return best;
    }
    const exec = EXEC_CALL.exec(text);
    if (exec && 0.85 > (best?.score ?? 0)) best = finding(0.85, "command execution call", text.slice(exec.index));
    const glob = GLOB_PATH.exec(text);
    if (glob && 0.85 > (best?.score ?? 0)) best = finding(0.85, "globbed system path", glob[0]);
    return best;
  },
};

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "cmdi", score, evidence: evidenceOf(label, excerpt) };
}

/**
 * Undo shell quoting tricks: quotes glued inside a word (`c'a't`, `w"h"oami`),
 * backslash-escaped letters (`c\at`), `$@`/`$*`/`$1` expansions that are empty,
 * and `${IFS}` used as a space.
 */
export function unshell(text: string): string {
  let out = text;
  if (out.indexOf("$") !== -1) out = out.replace(/\$\{ifs\}|\$ifs(?:\$\d)?/g, " ").replace(/\$[@*\d]|\$\{[@*\d]\}/g, "");
  if (out.indexOf("\\") !== -1) out = out.replace(/\\(?=[a-z0-9/])/g, "");
  if (out.indexOf("'") !== -1 || out.indexOf('"') !== -1) out = out.replace(/(?<=[a-z0-9/])(?:''|""|['"])(?=[a-z0-9])/g, "");
  return out;
}

interface Position {
  readonly index: number;
  /** True when a shell operator precedes: `;id`, `|id`, `` `id` ``, `$(id)`. */
  readonly separated: boolean;
}

/** Where a shell would read a command name. */
function* commandPositions(text: string): Generator<Position> {
  yield { index: 0, separated: false };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ; | & ` newline, "$(", "{" (brace expansion `{cat,/etc/passwd}`), "(" after an operator.
    if (c === 59 || c === 124 || c === 38 || c === 96 || c === 10 || c === 13 || c === 123) {
      yield { index: i + 1, separated: true };
    } else if (c === 40 && text.charCodeAt(i - 1) === 36) {
      yield { index: i + 1, separated: true };
    } else if (c === 40 && i > 0 && isOperator(text.charCodeAt(i - 1))) {
      yield { index: i + 1, separated: true };
    }
  }
}

function isOperator(c: number): boolean {
  return c === 59 || c === 124 || c === 38 || c === 40 || c === 32 || c === 10;
}

const WORD = /[a-z0-9_.-]+/y;
/** A program path (`/bin/`, `/usr/bin/`, `./`, `c:/windows/system32/`) before the command name. */
const PROGRAM_DIR = /(?:[a-z]:[\\/][a-z0-9_ .\\/-]*[\\/]|\.{0,2}\/(?:[a-z0-9_.-]+\/)*)/y;

function scoreCommandAt(text: string, start: number, separated: boolean, kind: Candidate["kind"]): number {
  let i = start;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 40)) i++;
  PROGRAM_DIR.lastIndex = i;
  const dir = PROGRAM_DIR.exec(text);
  const hasDir = dir !== null && dir[0].length > 0;
  if (hasDir) i += dir[0].length;
  WORD.lastIndex = i;
  const match = WORD.exec(text);
  if (!match) return 0;
  let word = match[0];
  if (word.endsWith(".exe")) word = word.slice(0, -4);
  const rest = text.slice(i + match[0].length, i + match[0].length + 40);
  const argument = shellArgument(rest, word);
  const distinct = DISTINCT_COMMANDS.has(word);
  const common = !distinct && COMMON_COMMANDS.has(word);
  if (!distinct && !common) return 0;
  // Headers are free text written by clients (User-Agent has `;` and words); only the clearest patterns count there.
  const cautious = kind === "header" || kind === "path";
  if (separated) {
    if (distinct && (argument !== "text" || hasDir)) return cautious ? 0.8 : 0.95;
    if (common && (argument === "flag" || argument === "path" || argument === "operator" || argument === "url")) return cautious ? 0.7 : 0.9;
    if (common && argument === "number" && NUMERIC_COMMANDS.has(word)) return 0.9;
    // A command word followed by prose ("; cat lovers") is how people write, too.
    return 0.5;
  }
  if (hasDir && distinct) return cautious ? 0.7 : 0.9;
  if (argument === "flag" || argument === "path" || argument === "operator" || argument === "url")
    return distinct ? (cautious ? 0.6 : 0.85) : cautious ? 0.5 : 0.75;
  // `ping 127.0.0.1` or `sleep 5` alone is also what a diagnostics form legitimately receives.
  if (argument === "number" && NUMERIC_COMMANDS.has(word)) return 0.6;
  return 0;
}

type Argument = "end" | "flag" | "path" | "operator" | "number" | "url" | "text";

/** What follows a command word, as a shell would see it. */
function shellArgument(rest: string, word: string): Argument {
  if (rest.length > 0 && !/^[\s<>|;&`)'"}]/.test(rest)) return "text";
  const trimmed = rest.trimStart();
  if (trimmed.length === 0) return "end";
  const c = trimmed[0] as string;
  if (c === ";" || c === "|" || c === "&" || c === "`" || c === ">" || c === "<" || c === ")" || c === "}" || c === "'" || c === '"')
    return "operator";
  if (c === "-" || (c === "/" && word !== "who")) return c === "-" ? "flag" : "path";
  if (c === "$" || c === "~" || c === "." || c === "\\" || /^[a-z]:[\\/]/.test(trimmed)) return "path";
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(trimmed)) return "url";
  if (/^\d/.test(trimmed)) return "number";
  return "text";
}
