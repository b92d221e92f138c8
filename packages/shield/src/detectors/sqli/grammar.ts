/**
 * Small grammar helpers over a token list with comments removed: what counts
 * as an operand, a comparison, a real statement after `;`.
 */

import type { Token } from "./tokenizer.js";
import { LITERAL_WORDS, STATEMENT_WORDS } from "./vocabulary.js";

/** Tokens with comments removed, remembering where comments were. */
export interface SignificantTokens {
  readonly tokens: readonly Token[];
  /** `commentAfter[i]`: a comment came right after `tokens[i]` (index -1 → before the first token is `leadingComment`). */
  readonly commentAfter: readonly boolean[];
  readonly leadingComment: boolean;
  /** A MySQL executable comment `/*!…` appeared: there is no benign reason for one in a parameter. */
  readonly executableComment: boolean;
  /** What follows the last `#` or `--` line comment's marker, to the end of its line; undefined without one. */
  readonly lineCommentBody: string | undefined;
}

export function significant(all: readonly Token[]): SignificantTokens {
  const tokens: Token[] = [];
  const commentAfter: boolean[] = [];
  let leadingComment = false;
  let executableComment = false;
  let lineCommentBody: string | undefined;
  for (const token of all) {
    if (token.kind === "comment") {
      if (token.text === "/*!") executableComment = true;
      else if (token.text.startsWith("#")) lineCommentBody = token.text.slice(1);
      else if (token.text.startsWith("--")) lineCommentBody = token.text.slice(2);
      if (tokens.length === 0) leadingComment = true;
      else commentAfter[tokens.length - 1] = true;
      continue;
    }
    tokens.push(token);
    commentAfter.push(false);
  }
  return { tokens, commentAfter, leadingComment, executableComment, lineCommentBody };
}

const COMPARISONS = new Set([
  "=",
  "==",
  "<>",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "<=>",
  "like",
  "rlike",
  "regexp",
  "is",
  "in",
  "between",
  "sounds",
  "<@",
  "@>",
  "@?",
  "->",
  "->>",
  "?",
  "?|",
  "?&",
]);
const ARITHMETIC = new Set(["+", "-", "*", "/", "%", "&", "|", "^", "div", "mod", "||"]);

export function isComparison(token: Token | undefined): boolean {
  return token !== undefined && token.kind === "operator" && COMPARISONS.has(token.text);
}

export function isArithmetic(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "operator" || token.kind === "logic") && ARITHMETIC.has(token.text);
}

/**
 * Index of the operand starting at `from` (after any `(` and unary signs), or
 * -1. An operand is a literal, a name, a variable, a call or a sub-select.
 */
export function operandAt(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (
      token.kind === "open" ||
      (token.kind === "operator" && (token.text === "-" || token.text === "+" || token.text === "~" || token.text === "!"))
    ) {
      i++;
      continue;
    }
    // MySQL's BINARY casts the operand after it: `1 and binary 'a'='a'` compares `'a'`.
    if ((token.kind === "logic" && token.text === "not") || (token.text === "binary" && token.kind === "bareword")) {
      i++;
      continue;
    }
    break;
  }
  const token = tokens[i];
  if (token === undefined) return -1;
  switch (token.kind) {
    case "number":
    case "string":
    case "bareword":
    case "variable":
    case "function":
      return i;
    case "keyword":
      return LITERAL_WORDS.has(token.text) || token.text === "select" || token.text === "case" ? i : -1;
    default:
      return -1;
  }
}

/**
 * Index just past the operand at `at`: skips a call's argument list (bounded
 * by `limit` tokens), adjacent string literals (MySQL concatenates `'a' 'b'`)
 * and PostgreSQL casts (`'{}'::jsonb`, `f(x)::int`).
 */
export function skipOperand(tokens: readonly Token[], at: number): number {
  const token = tokens[at];
  let end = at + 1;
  if (token?.kind === "function") end = skipArguments(tokens, at);
  else if (token?.kind === "string") while (tokens[end]?.kind === "string") end++;
  while (isCast(tokens, end)) end += 2;
  return end;
}

/**
 * Whether a call's argument list reads as SQL: no two numbers or names side
 * by side with only a space between them. "sleep (8 hours)" and "benchmark
 * (cpu vs gpu)" are prose in parentheses; `sleep(5)`, `cast(x as int)`,
 * `benchmark(1e7,md5(1))` are calls, and so are `sleep(20.to_i)` (glued) and
 * `benchmark(2999/**\/999,…)` (a comment splitting a number is an evasion).
 */
export function hasSqlArguments(sig: SignificantTokens, at: number): boolean {
  const { tokens } = sig;
  const end = skipArguments(tokens, at);
  for (let i = at + 3; i < end; i++) {
    const before = tokens[i - 1] as Token;
    const token = tokens[i] as Token;
    if (
      isWordOrNumber(before) &&
      isWordOrNumber(token) &&
      sig.commentAfter[i - 1] !== true &&
      before.start + before.text.length < token.start
    )
      return false;
  }
  return true;
}

function isWordOrNumber(token: Token): boolean {
  return token.kind === "number" || token.kind === "bareword";
}

/**
 * `skipOperand`, also past the `)` that close parentheses opened before the
 * operand since `from`: `(1)=1` compares `(1)`, the operand `operandAt(tokens, from)` found.
 */
export function skipGroupedOperand(tokens: readonly Token[], from: number, operand: number): number {
  let open = 0;
  for (let i = from; i < operand; i++) if ((tokens[i] as Token).kind === "open") open++;
  let end = skipOperand(tokens, operand);
  while (open > 0 && tokens[end]?.kind === "close") {
    end++;
    open--;
  }
  return end;
}

function skipArguments(tokens: readonly Token[], at: number): number {
  let depth = 0;
  const limit = Math.min(tokens.length, at + 256);
  for (let i = at + 1; i < limit; i++) {
    const kind = (tokens[i] as Token).kind;
    if (kind === "open") depth++;
    else if (kind === "close" && --depth === 0) return i + 1;
  }
  return limit;
}

/** `::name` after an operand: a PostgreSQL type cast. */
export function isCast(tokens: readonly Token[], at: number): boolean {
  const type = tokens[at + 1];
  return tokens[at]?.text === "::" && type !== undefined && (type.kind === "bareword" || type.kind === "keyword");
}

/** After a `;`: does a real statement start here (not "; drop me a line")? */
export function startsStatement(tokens: readonly Token[], at: number): boolean {
  const first = tokens[at];
  if (first === undefined || !STATEMENT_WORDS.has(first.text)) return false;
  if (first.kind === "function") return true;
  const second = tokens[at + 1];
  if (second === undefined) return first.text === "shutdown" || first.text === "begin";
  switch (first.text) {
    case "drop":
    case "create":
    case "alter":
    case "truncate":
      return ["table", "database", "schema", "user", "view", "procedure", "function", "index", "trigger", "login"].includes(second.text);
    case "insert":
    case "replace":
      return second.text === "into";
    case "delete":
      return second.text === "from";
    case "update":
      return tokens[at + 2]?.text === "set";
    case "exec":
    case "execute":
    case "call":
      return (
        (second.kind === "bareword" && isProcedureCall(tokens, at + 1, first.text === "call")) ||
        second.kind === "function" ||
        second.kind === "string" ||
        second.kind === "open"
      );
    case "declare":
    case "set":
      return second.kind === "variable";
    case "waitfor":
      return second.text === "delay" || second.text === "time";
    case "grant":
    case "revoke":
      return PRIVILEGES.has(second.text) && hasWithin(tokens, at + 2, 4, (t) => t.text === "to" || t.text === "on" || t.text === "from");
    case "copy":
      // PostgreSQL `COPY t FROM '/etc/passwd'` / `TO PROGRAM 'cmd'`: file read and command execution.
      return (
        (second.kind === "bareword" || second.kind === "open") &&
        hasWithin(tokens, at + 2, 8, (t, i) => (t.text === "from" || t.text === "to") && isCopyEndpoint(tokens[i + 1]))
      );
    case "select":
      return looksLikeSelectList(tokens, at + 1) || (second.kind === "bareword" && tokens[at + 2]?.kind === "semicolon");
    case "if":
    case "begin":
      return second.kind === "open" || second.kind === "function" || second.kind === "keyword";
    default:
      return second.kind === "keyword" || second.kind === "function";
  }
}

/** Characters a stored procedure's name has and an English word does not: `xp_cmdshell`, `dbo.proc`, `sp2`. */
const PROCEDURE_NAME = /[_.$0-9]/;

/**
 * `EXEC xp_cmdshell 'dir'`, `CALL proc`, `EXEC sp_who;`: the name is a
 * procedure's (it has `_`, `.`, a digit), or it is followed by what a call
 * takes: nothing, `;`, a closed literal, a number, a variable. "execute the
 * will" and "call the doctor" go on with another word.
 */
function isProcedureCall(tokens: readonly Token[], at: number, parenthesized = false): boolean {
  const name = tokens[at] as Token;
  if (PROCEDURE_NAME.test(name.text)) return true;
  const argument = tokens[at + 1];
  if (argument === undefined) return true;
  switch (argument.kind) {
    case "semicolon":
    case "open":
      return true;
    // CALL takes its arguments in parentheses (MySQL, PostgreSQL, Oracle): "call after 5pm" is a note, not a call.
    case "number":
    case "variable":
      return !parenthesized;
    case "string":
      return argument.closed && !parenthesized;
    default:
      return false;
  }
}

/** What GRANT and REVOKE hand out; "grant me access" is not one. */
export const PRIVILEGES: ReadonlySet<string> = new Set([
  "all",
  "select",
  "insert",
  "update",
  "delete",
  "connect",
  "resource",
  "dba",
  "execute",
  "usage",
  "create",
  "file",
  "super",
  "references",
]);

/** Whether one of the `count` tokens from `from` satisfies `test`. */
function hasWithin(tokens: readonly Token[], from: number, count: number, test: (token: Token, index: number) => boolean): boolean {
  const limit = Math.min(tokens.length, from + count);
  for (let i = from; i < limit; i++) if (test(tokens[i] as Token, i)) return true;
  return false;
}

/** `FROM '/path'`, `TO PROGRAM 'cmd'`, `FROM STDIN`. */
function isCopyEndpoint(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "string" || token.text === "program" || token.text === "stdin" || token.text === "stdout");
}

/**
 * After SELECT: something only a query would select. A lone English word
 * ("select one from the list") does not count; a number, `*`, a call, a
 * variable, a string, NULL, a sub-select or a comma-separated list does.
 */
export function looksLikeSelectList(tokens: readonly Token[], at: number): boolean {
  let i = at;
  const first = tokens[i];
  if (first?.kind === "keyword" && (first.text === "all" || first.text === "distinct" || first.text === "top")) i++;
  const item = tokens[i];
  if (item === undefined) return false;
  switch (item.kind) {
    case "number":
    case "function":
    case "variable":
    case "string":
    case "open":
      return true;
    case "operator":
      return item.text === "*";
    case "keyword":
      return item.text === "null" || item.text === "case" || item.text === "char";
    case "bareword":
      return tokens[i + 1]?.kind === "comma";
    default:
      return false;
  }
}
