/**
 * Constructs with no meaning outside SQL, checked in every context and
 * wherever they sit in the value: UNION SELECT, a stacked statement, a
 * sleep or error-extraction call, catalog tables, server variables.
 */

import {
  hasSqlArguments,
  isArithmetic,
  isCast,
  isComparison,
  looksLikeSelectList,
  operandAt,
  type SignificantTokens,
  skipOperand,
  startsStatement,
} from "./grammar.js";
import type { SqlSignal } from "./signal.js";
import { alwaysTrueComparisonEnd, isTautology } from "./tautology.js";
import type { Token } from "./tokenizer.js";
import { ATTACK_FUNCTIONS, CATALOG_NAMES, ENCODING_FUNCTIONS, SQL_TYPES, STATEMENT_WORDS } from "./vocabulary.js";

export function findSqlOnlyConstruct(sig: SignificantTokens): SqlSignal | undefined {
  const { tokens } = sig;
  let sawSelectOrFrom = false;
  let catalogAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    const text = token.text;
    if (text === "select" || text === "from") sawSelectOrFrom = true;
    if (token.kind === "keyword" || token.kind === "function") {
      if (text === "union") {
        const after = next !== undefined && SET_QUANTIFIERS.has(next.text) ? tokens[i + 2] : next;
        const select = after?.kind === "open" ? tokens[i + (after === next ? 2 : 3)] : after;
        if (select?.text === "select") return { score: 0.95, technique: "union select", at: token.start };
      }
      if (text === "select" && next?.kind === "open" && (tokens[i + 2]?.text === "select" || tokens[i + 2]?.text === "case")) {
        return { score: 0.85, technique: `select (${tokens[i + 2]?.text} …)`, at: token.start };
      }
      if (text === "select" && looksLikeSelectList(tokens, i + 1) && hasFrom(tokens, i + 1)) {
        return { score: 0.9, technique: "select from", at: token.start };
      }
      if (text === "select" && isSingleColumnQuery(sig, i)) return { score: 0.85, technique: "select column from table", at: token.start };
      if (text === "waitfor" && (next?.text === "delay" || next?.text === "time")) {
        return { score: 0.95, technique: "time-based blind (waitfor)", at: token.start };
      }
      if (text === "into" && (next?.text === "outfile" || next?.text === "dumpfile")) {
        return { score: 0.95, technique: "file write (into outfile)", at: token.start };
      }
      if ((text === "exec" || text === "execute") && next !== undefined && /^(?:xp_|sp_|master\.)/.test(next.text)) {
        return { score: 0.95, technique: "stored procedure call", at: token.start };
      }
      if (text === "declare" && next?.kind === "variable") return { score: 0.9, technique: "declare variable", at: token.start };
      // Oracle's dynamic SQL: `EXECUTE IMMEDIATE 'DROP TABLE t'`.
      if ((text === "exec" || text === "execute") && next?.text === "immediate" && isStringOrVariable(tokens[i + 2])) {
        return { score: 0.9, technique: "execute immediate", at: token.start };
      }
      if (sig.commentAfter[i] === true && isWord(next) && COMMENT_SPACED_WORDS.has(text)) {
        return { score: 0.8, technique: `comment as a space after ${text}`, at: token.start };
      }
    }
    // `except select 1,2`, `intersect select …`: the other set operators, when a real select list follows.
    if ((text === "except" || text === "intersect") && next?.text === "select" && looksLikeSelectList(tokens, i + 2)) {
      return { score: 0.85, technique: `${text} select`, at: token.start };
    }
    if (text === "values" && token.kind !== "bareword" && isLiteralTuple(tokens, i + 1)) {
      return { score: 0.8, technique: "values tuple", at: token.start };
    }
    // `b,1=1`, `'admin', '1'='1'`: an always-true comparison added as one more item of a list.
    if (token.kind === "comma" && endsList(tokens, alwaysTrueComparisonEnd(tokens, i + 1))) {
      return { score: 0.8, technique: "constant true comparison in a list", at: token.start };
    }
    // `'{"b":2}'::jsonb`, `'1'::int`: a literal cast with PostgreSQL's `::` to a SQL type is query syntax, nothing else.
    if (token.kind === "string" && token.closed && isCast(tokens, i + 1) && SQL_TYPES.has((tokens[i + 2] as Token).text)) {
      return { score: 0.8, technique: `literal cast to ${(tokens[i + 2] as Token).text}`, at: token.start };
    }
    if (token.kind === "function") {
      if ((ATTACK_FUNCTIONS.has(text) || ATTACK_FUNCTIONS.has(lastSegment(text))) && hasSqlArguments(sig, i)) {
        return { score: 0.9, technique: `attack function ${text}()`, at: token.start };
      }
      if (isEncodingChain(tokens, i)) return { score: 0.85, technique: `encoded string ${text}()`, at: token.start };
    }
    if (token.kind === "semicolon" && startsStatement(tokens, i + 1)) {
      return { score: 0.95, technique: "stacked query", at: token.start };
    }
    // `xp_cmdshell`, `sp_executesql`: SQL Server's command and dynamic-SQL procedures; no other system names them.
    if (token.kind === "bareword" && ATTACK_FUNCTIONS.has(text) && MSSQL_PROCEDURE.test(text)) {
      return { score: 0.8, technique: `stored procedure ${text}`, at: token.start };
    }
    // `'||UTL_HTTP.REQUEST`, `or dbms_pipe.receive_message`: Oracle calls a package function without parentheses
    // when it takes no argument, so the qualified name joined to the query by an operator is already the call.
    if (token.kind === "bareword" && ATTACK_FUNCTIONS.has(text) && text.includes(".") && isJoiner(tokens[i - 1])) {
      return { score: 0.8, technique: `package function ${text}`, at: token.start };
    }
    // `@@version`, `@@datadir`: a server variable, standing apart (`XW@@W!Q` is a keyboard walk, not `xw @@w`).
    // A bare `@@` names nothing: `@@ -1,3 +1,4 @@` opens a hunk of a unified diff (code review comments, webhooks).
    if (token.kind === "variable" && token.text.length > 2 && token.text.startsWith("@@") && !gluedToWord(tokens[i - 1], token)) {
      return { score: 0.8, technique: `server variable ${text}`, at: token.start };
    }
    if ((token.kind === "bareword" || token.kind === "keyword") && catalogAt === -1 && isCatalogName(text)) catalogAt = i;
    // `-1/**/or/**/1`: AND/OR with comments for spaces on both sides, a filter evasion no sentence has.
    if (token.kind === "logic" && token.text !== "not" && i > 0 && sig.commentAfter[i - 1] === true && sig.commentAfter[i] === true) {
      return { score: 0.8, technique: `comments around ${text}`, at: token.start };
    }
    if (token.kind === "logic" && isTautology(tokens, i + 1)) {
      return { score: 0.85, technique: "tautology", at: token.start };
    }
    // `WHERE 1=1`, `CASE WHEN 5=5`, `iif(3=4,1,1/0)`, `elt(5=5,1)`: boolean-blind probes compare two constants.
    if ((text === "where" || text === "having" || text === "when") && token.kind === "keyword" && isTautology(tokens, i + 1)) {
      return { score: 0.85, technique: `constant condition in ${text}`, at: token.start };
    }
    if (token.kind === "function" && isTautology(tokens, i + 2)) {
      return { score: 0.85, technique: `constant condition in ${text}()`, at: token.start };
    }
    if (text === "order" && next?.text === "by" && tokens[i + 2]?.kind === "number" && sig.commentAfter[i + 2] === true) {
      return { score: 0.8, technique: "order by column probe", at: token.start };
    }
  }
  if (catalogAt !== -1 && sawSelectOrFrom) {
    return { score: 0.9, technique: "catalog table", at: (tokens[catalogAt] as Token).start };
  }
  if (sig.executableComment) return { score: 0.8, technique: "mysql executable comment", at: 0 };
  return undefined;
}

const MSSQL_PROCEDURE = /^(?:xp|sp)_/;

/** `UNION ALL SELECT`, `UNION DISTINCTROW SELECT`. */
const SET_QUANTIFIERS = new Set(["all", "distinct", "distinctrow"]);

/**
 * Words an attacker separates from the next one with an inline comment instead
 * of a space, `DROP/*x*\/users`, `UNION/**\/SELECT`, to slip past filters that
 * match on spaces. Nobody types a comment between two words of a sentence.
 */
const COMMENT_SPACED_WORDS: ReadonlySet<string> = new Set([...STATEMENT_WORDS, "union", "from", "where", "into"]);

function isWord(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "bareword" || token.kind === "keyword" || token.kind === "function");
}

/** The token before ends exactly where `token` starts and is a name or number: one run of characters, not two. */
function gluedToWord(before: Token | undefined, token: Token): boolean {
  return (
    before !== undefined &&
    (before.kind === "bareword" || before.kind === "number" || before.kind === "keyword") &&
    before.start + before.text.length === token.start
  );
}

/** An operator or AND/OR/`||` that joins the next operand to an expression. */
function isJoiner(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "operator" || token.kind === "logic");
}

function isStringOrVariable(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "string" || token.kind === "variable");
}

const LETTERS_ONLY = /^[a-z ]*$/;

/** Bound on the items of a VALUES tuple looked at. */
const MAX_TUPLE_ITEMS = 32;

/**
 * `VALUES ('10.0.0.1', 'test')`, `values(1,'a')`: a parenthesised row of two
 * or more literals, at least one quoted the way SQL quotes a string and at
 * least one that is data rather than a word (a number, NULL, an address).
 * "our values (honesty, trust)" and "our values ('respect', 'care')" are words.
 */
function isLiteralTuple(tokens: readonly Token[], open: number): boolean {
  if (tokens[open]?.kind !== "open") return false;
  let items = 0;
  let quoted = false;
  let data = false;
  for (let i = open + 1; items < MAX_TUPLE_ITEMS; i += 2) {
    const item = tokens[i];
    if (item === undefined || (item.kind !== "string" && item.kind !== "number" && item.text !== "null")) return false;
    if (item.kind === "string") quoted = true;
    if (item.kind !== "string" || !LETTERS_ONLY.test(item.text)) data = true;
    items++;
    const after = tokens[i + 1];
    if (after?.kind === "close") return items >= 2 && quoted && data;
    if (after?.kind !== "comma") return false;
  }
  return false;
}

/** The item ends the value or its parenthesised list. */
function endsList(tokens: readonly Token[], end: number): boolean {
  return end !== -1 && (end === tokens.length || tokens[end]?.kind === "close");
}

/**
 * `SELECT password FROM members WHERE id=…`, `SELECT/**\/password/**\/FROM/**\/members`:
 * one column from one table, then a WHERE condition, or written with comments
 * for spaces (a filter-evasion habit). "select one from the list" is neither.
 */
function isSingleColumnQuery(sig: SignificantTokens, at: number): boolean {
  const { tokens, commentAfter } = sig;
  if (tokens[at + 1]?.kind !== "bareword") return false;
  const from = afterColumnArithmetic(tokens, at + 2);
  const table = tokens[from + 1];
  if (tokens[from]?.text !== "from" || table?.kind !== "bareword") return false;
  if (from === at + 2 && commentAfter[at] === true && commentAfter[at + 1] === true) return true;
  const clause = tokens[from + 2];
  // `(select user_login from wp_users limit 1,1)`: the row-by-row extraction idiom.
  if (clause?.text === "limit") return tokens[from + 3]?.kind === "number";
  if (clause?.text !== "where") return false;
  const left = operandAt(tokens, from + 3);
  return left !== -1 && isComparison(tokens[skipOperand(tokens, left)]);
}

const COLUMN_ARITHMETIC = new Set(["/", "*", "%", "+", "-"]);

/**
 * `(select login/2 from users limit 1,1)`, `select id*1 from t where …`: the column read through arithmetic, which
 * turns a string into a number for a blind comparison. Skips `op operand` pairs after the column's name, each a
 * number or name; returns where the column ends.
 */
function afterColumnArithmetic(tokens: readonly Token[], at: number): number {
  let i = at;
  while (COLUMN_ARITHMETIC.has(tokens[i]?.text ?? "") && tokens[i]?.kind === "operator") {
    const operand = tokens[i + 1];
    if (operand?.kind !== "number" && operand?.kind !== "bareword") return at;
    i += 2;
  }
  return i;
}

function lastSegment(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? name : name.slice(dot + 1);
}

function isCatalogName(name: string): boolean {
  if (CATALOG_NAMES.has(name)) return true;
  const dot = name.indexOf(".");
  return dot > 0 && CATALOG_NAMES.has(name.slice(0, dot));
}

function hasFrom(tokens: readonly Token[], from: number): boolean {
  const limit = Math.min(tokens.length, from + 64);
  for (let i = from; i < limit; i++) if ((tokens[i] as Token).text === "from") return true;
  return false;
}

/** `char(113)+char(106)`, `chr(65)||chr(66)`, `concat(0x71,…)`: strings built to dodge quote filters. */
function isEncodingChain(tokens: readonly Token[], at: number): boolean {
  const name = (tokens[at] as Token).text;
  if (!ENCODING_FUNCTIONS.has(name)) return false;
  const firstArgument = tokens[at + 2];
  if (name.startsWith("concat") || name === "unhex") return firstArgument?.kind === "number" && firstArgument.text.startsWith("0x");
  if (name !== "char" && name !== "chr" && name !== "nchar") return false;
  if (firstArgument?.kind !== "number") return false;
  const after = skipOperand(tokens, at);
  const joiner = tokens[after];
  const nextCall = tokens[after + 1];
  return (isArithmetic(joiner) || joiner?.kind === "comma") && nextCall?.kind === "function" && ENCODING_FUNCTIONS.has(nextCall.text);
}
