/**
 * JavaScript denial of service (OWASP CRS 934160): a loop that can never end,
 * injected into a value that reaches `eval`, `vm` or `new Function`. Node runs
 * every request on one thread, so `while(true);` stalls the whole server, not
 * one request. Attackers hide the constant behind coercions (`while(!0)`,
 * `while(!!{})`, `while(new Date)`, `while(this)`), so the condition is
 * evaluated, not matched: a small reader folds `! + - ~` and parentheses over
 * a literal and asks whether the result is truthy.
 *
 * A loop whose constant condition is falsy (`while(!!"")`) never runs, but
 * it is still a statement sent to see whether a value is evaluated, which no
 * user types: it scores lower, at the default threshold.
 *
 * Only a loop with nothing to do is flagged (`;`, `{}`, or the end of the
 * injected text after its header): a loop with a body may `break`, and
 * pasted code ("while (true) { … break; }") has one. The loop must also
 * stand where a statement can start: after an English word ("do it while
 * (true) …") it is prose, which JavaScript would reject anyway.
 */
import type { CodeSignal } from "./signal.js";

/** `while (` or `for (`, found fast; the reader below decides the rest. */
const LOOP_HEAD = /\b(?:while|for)\s{0,8}\(/g;

/** After the header: an empty statement or block, the end of the value, or the end of the string it was injected into. */
const EMPTY_BODY = /^\s{0,8}(?:[;'"`)\]]|\{\s{0,8}\}|$)/;

/** Words after which a statement may follow on the same line (`else while(1);`, `do while(1);`). */
const STATEMENT_WORDS = new Set(["else", "do"]);

/** Bounds the reader: real conditions are a handful of tokens; more is not a constant. */
const MAX_TOKENS = 24;

/** The first empty-bodied loop on a constant condition in `value`: an infinite one, or a loop that never runs. */
export function infiniteLoopSignal(value: string): CodeSignal | undefined {
  if (value.indexOf("(") === -1) return undefined;
  LOOP_HEAD.lastIndex = 0;
  for (let head = LOOP_HEAD.exec(value); head !== null; head = LOOP_HEAD.exec(value)) {
    const start = head.index;
    const open = start + head[0].length;
    const header = head[0].startsWith("for") ? readForHeader(value, open) : readWhileHeader(value, open);
    if (header === undefined) continue;
    if (!atStatementStart(value, start)) continue;
    if (!EMPTY_BODY.test(value.slice(header.end, header.end + 16))) continue;
    if (header.truthy) return { score: 0.85, label: "javascript infinite loop", index: start };
    return { score: 0.7, label: "javascript constant loop", index: start };
  }
  return undefined;
}

/** `while (cond)` with a constant `cond`: whether it holds, and the index after the `)`. */
function readWhileHeader(value: string, from: number): Constant | undefined {
  const read = readConstant(value, from);
  if (read === undefined) return undefined;
  const at = skipSpaces(value, read.end);
  return value.charCodeAt(at) === 41 /* ) */ ? { truthy: read.truthy, end: at + 1 } : undefined;
}

/** `for (;;)` or `for (; cond ;)` with an empty (always true) or constant condition. */
function readForHeader(value: string, from: number): Constant | undefined {
  let at = skipSpaces(value, from);
  if (value.charCodeAt(at) !== 59 /* ; */) return undefined;
  at = skipSpaces(value, at + 1);
  let truthy = true;
  if (value.charCodeAt(at) !== 59) {
    const read = readConstant(value, at);
    if (read === undefined) return undefined;
    truthy = read.truthy;
    at = skipSpaces(value, read.end);
    if (value.charCodeAt(at) !== 59) return undefined;
  }
  at = skipSpaces(value, at + 1);
  return value.charCodeAt(at) === 41 ? { truthy, end: at + 1 } : undefined;
}

/** Where a statement may begin: the value's start, after punctuation, or after `else`/`do`; not after another word. */
function atStatementStart(value: string, index: number): boolean {
  let at = index - 1;
  while (at >= 0 && (value.charCodeAt(at) === 32 || value.charCodeAt(at) === 9)) at--;
  if (at < 0 || !isWordChar(value.charCodeAt(at))) return true;
  const end = at + 1;
  while (at >= 0 && isWordChar(value.charCodeAt(at))) at--;
  return STATEMENT_WORDS.has(value.slice(at + 1, end));
}

/** Literals whose value is known without running anything. `this` is the global object in sloppy code: truthy. */
const KEYWORDS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["true", true],
  ["false", false],
  ["null", null],
  ["undefined", undefined],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["this", {}],
]);

const WORD = /[A-Za-z_$][\w$]{0,31}/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]{1,16}|\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})(?:[eE][+-]?\d{1,3})?/y;
const STRING = /'[^'\\\n]{0,64}'|"[^"\\\n]{0,64}"|`[^`\\$]{0,64}`/y;
const EMPTY_OBJECT = /\{\s{0,8}\}|\[\s{0,8}\]/y;
/** `new Date`, `new Object()`: a fresh object (Date coerces to a non-zero number). */
const CONSTRUCTION = /new\s{1,8}([A-Za-z_$][\w$]{0,31})(?:\s{0,8}\(\s{0,8}\))?/y;

interface Constant {
  readonly truthy: boolean;
  readonly end: number;
}

/**
 * Reads `prefix* atom` with parentheses around any part (`!(!0)`, `((true))`),
 * and evaluates it. Only literals built here are coerced, never text from the
 * value, so evaluating them runs no attacker code. Undefined when the
 * expression is not a constant this reader knows.
 */
function readConstant(value: string, from: number): Constant | undefined {
  // Unary operators and open parentheses, in reading order; "(" marks a group.
  const pending: string[] = [];
  let at = from;
  let atom: { value: unknown } | undefined;
  for (let tokens = 0; atom === undefined; tokens++) {
    if (tokens > MAX_TOKENS) return undefined;
    at = skipSpaces(value, at);
    const c = value[at];
    if (c === "!" || c === "+" || c === "-" || c === "~" || c === "(") {
      pending.push(c);
      at++;
      continue;
    }
    const literal = readAtom(value, at);
    if (literal === undefined) return undefined;
    atom = { value: literal.value };
    at = literal.end;
  }
  let result = atom.value;
  while (pending.length > 0) {
    const op = pending.pop();
    if (op === "(") {
      at = skipSpaces(value, at);
      if (value.charCodeAt(at) !== 41) return undefined;
      at++;
    } else result = applyUnary(op, result);
  }
  return { truthy: Boolean(result), end: at };
}

function readAtom(value: string, at: number): { value: unknown; end: number } | undefined {
  const construction = stickyMatch(CONSTRUCTION, value, at);
  if (construction) return { value: construction[1] === "Date" ? new Date(1) : {}, end: at + construction[0].length };
  const word = stickyMatch(WORD, value, at);
  if (word) return KEYWORDS.has(word[0]) ? { value: KEYWORDS.get(word[0]), end: at + word[0].length } : undefined;
  const number = stickyMatch(NUMBER, value, at);
  if (number) return { value: Number(number[0]), end: at + number[0].length };
  const string = stickyMatch(STRING, value, at);
  if (string) return { value: string[0].slice(1, -1), end: at + string[0].length };
  const empty = stickyMatch(EMPTY_OBJECT, value, at);
  if (empty) return { value: empty[0].startsWith("[") ? [] : {}, end: at + empty[0].length };
  return undefined;
}

function applyUnary(op: string | undefined, operand: unknown): unknown {
  if (op === "!") return !operand;
  // Only our own literals reach here: strings, numbers, booleans, null, undefined, {}, [] and a Date.
  const number = Number(operand);
  if (op === "-") return -number;
  if (op === "~") return ~number;
  return number;
}

function stickyMatch(pattern: RegExp, value: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(value);
}

function skipSpaces(value: string, at: number): number {
  let i = at;
  while (
    i < value.length &&
    (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9 || value.charCodeAt(i) === 10 || value.charCodeAt(i) === 13)
  )
    i++;
  return i;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}
