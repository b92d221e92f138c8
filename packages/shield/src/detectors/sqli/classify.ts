/**
 * Classifies one tokenized context. Two families of evidence:
 *  - constructs that only exist in SQL, wherever they appear (UNION SELECT,
 *    a stacked statement, a sleep/error-extraction call, catalog tables);
 *  - a breakout: the value closes the literal or parenthesis it was placed in
 *    and continues as SQL (a logic operator and a condition, WHERE, ORDER BY,
 *    a comment that cuts off the rest of the query).
 * English prose produces neither: it has no reason to close a quote and then
 * write a well-formed boolean condition.
 */

import {
  isArithmetic,
  isComparison,
  looksLikeSelectList,
  operandAt,
  type SignificantTokens,
  significant,
  skipOperand,
  startsStatement,
} from "./grammar.js";
import type { Token } from "./tokenizer.js";
import { ATTACK_FUNCTIONS, CATALOG_NAMES, ENCODING_FUNCTIONS, PROBE_FUNCTIONS, SQL_TYPES } from "./vocabulary.js";

export type Context = "" | "'" | '"';

export interface SqlSignal {
  readonly score: number;
  readonly technique: string;
  /** Offset in the value where the evidence starts. */
  readonly at: number;
}

export function classify(all: readonly Token[], context: Context): SqlSignal | undefined {
  const sig = significant(all);
  return findBreakout(sig, context) ?? findSqlOnlyConstruct(sig) ?? (context === "" ? wholeValueAlwaysTrue(sig.tokens) : undefined);
}

const EQUALITY = new Set(["=", "==", "<=>", "like"]);
const INEQUALITY = new Set(["!=", "<>"]);

/**
 * `1=1`, `42<=>42`, `11!=1`, `'a' like 'a'`: the whole value is a comparison
 * of two constants that is always true, the payload a scanner sends into a
 * numeric position to test boolean injection. Only true ones count (`1<2` may
 * be a range a user typed; `5=5` has no other use), and only as the whole value.
 */
function wholeValueAlwaysTrue(tokens: readonly Token[]): SqlSignal | undefined {
  const left = tokens[0];
  const operator = tokens[1];
  const right = tokens[2];
  if (tokens.length !== 3 || left === undefined || right === undefined || operator?.kind !== "operator") return undefined;
  const constant = (t: Token) => t.kind === "number" || (t.kind === "string" && t.closed === true);
  if (!constant(left) || !constant(right) || left.kind !== right.kind) return undefined;
  const same = left.text === right.text;
  if ((EQUALITY.has(operator.text) && same) || (INEQUALITY.has(operator.text) && !same)) {
    return { score: 0.75, technique: "constant true comparison", at: left.start };
  }
  return undefined;
}

/** Constructs with no meaning outside SQL, checked in every context. */
function findSqlOnlyConstruct(sig: SignificantTokens): SqlSignal | undefined {
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
        const after = next?.text === "all" || next?.text === "distinct" ? tokens[i + 2] : next;
        const select = after?.kind === "open" ? tokens[i + (after === next ? 2 : 3)] : after;
        if (select?.text === "select") return { score: 0.95, technique: "union select", at: token.start };
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
    }
    if (token.kind === "function") {
      if (ATTACK_FUNCTIONS.has(text) || ATTACK_FUNCTIONS.has(lastSegment(text))) {
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
    if (token.kind === "variable" && token.text.startsWith("@@")) {
      return { score: 0.8, technique: `server variable ${text}`, at: token.start };
    }
    if ((token.kind === "bareword" || token.kind === "keyword") && catalogAt === -1 && isCatalogName(text)) catalogAt = i;
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

/**
 * `SELECT password FROM members WHERE id=…`, `SELECT/**\/password/**\/FROM/**\/members`:
 * one column from one table, then a WHERE condition, or written with comments
 * for spaces (a filter-evasion habit). "select one from the list" is neither.
 */
function isSingleColumnQuery(sig: SignificantTokens, at: number): boolean {
  const { tokens, commentAfter } = sig;
  const column = tokens[at + 1];
  const table = tokens[at + 3];
  if (column?.kind !== "bareword" || tokens[at + 2]?.text !== "from" || table?.kind !== "bareword") return false;
  if (commentAfter[at] === true && commentAfter[at + 1] === true) return true;
  const clause = tokens[at + 4];
  if (clause?.text !== "where") return false;
  const left = operandAt(tokens, at + 5);
  return left !== -1 && isComparison(tokens[skipOperand(tokens, left)]);
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

/**
 * `1=1`, `'a'='a'`, `x=x`, `2>1`: a comparison of two constants (or a name
 * with itself) right after AND/OR. Prose has no reason to write one.
 */
function isTautology(tokens: readonly Token[], from: number): boolean {
  const left = operandAt(tokens, from);
  if (left === -1) return false;
  const leftToken = tokens[left] as Token;
  const operator = tokens[left + 1];
  if (!isComparison(operator)) return false;
  const right = operandAt(tokens, left + 2);
  if (right === -1) return false;
  const rightToken = tokens[right] as Token;
  const constant = (t: Token) => t.kind === "number" || t.kind === "string";
  if (constant(leftToken) && constant(rightToken)) return true;
  return leftToken.kind === "bareword" && rightToken.kind === leftToken.kind && rightToken.text === leftToken.text;
}

/**
 * The breakout: where the value leaves its context. In a quoted context, the
 * first token is the literal the value was placed in; it must be closed by the
 * value itself. In the raw context, a value that starts with a number (or with
 * SQL itself) is treated as spliced into a numeric position.
 */
function findBreakout(sig: SignificantTokens, context: Context): SqlSignal | undefined {
  const { tokens } = sig;
  let at: number;
  if (context !== "") {
    const literal = tokens[0];
    if (literal === undefined || !literal.closed) return undefined;
    at = 1;
  } else {
    const first = tokens[0];
    if (first === undefined) return undefined;
    if (first.kind === "number") at = 1;
    else if (first.kind === "operator" && first.text === "-" && tokens[1]?.kind === "number") at = 2;
    // A value starting with `)` closes a parenthesis of the query it lands in: `) as x from …`, `) or (…`.
    else if (first.kind === "logic" || first.kind === "keyword" || first.kind === "open" || first.kind === "close") at = 0;
    else if (first.kind === "function") return castOfCall(tokens);
    else return undefined;
  }
  let closedParens = 0;
  while (tokens[at]?.kind === "close") {
    at++;
    closedParens++;
  }
  const brokeOut = context !== "" || closedParens > 0;
  const token = tokens[at];
  const start = token?.start ?? 0;
  if (token === undefined) {
    const comment = at === 0 ? sig.leadingComment : sig.commentAfter[at - 1] === true;
    if (comment && brokeOut) return { score: 0.85, technique: "comment truncation after breakout", at: 0 };
    return undefined;
  }
  // `z' or email notnull--`, `user' collate nocase--`: SQL after the quote, then the rest of the query cut off.
  const lastIndex = tokens.length - 1;
  if (context !== "" && sig.commentAfter[lastIndex] === true && lastIndex > at && (token.kind === "logic" || token.kind === "operator")) {
    return { score: 0.85, technique: "condition then comment after breakout", at: start };
  }
  switch (token.kind) {
    case "logic":
      return conditionAfterLogic(sig, at + 1, brokeOut, start, context !== "");
    case "keyword":
      return clauseAfterBreakout(tokens, at, brokeOut, start);
    case "operator":
      return expressionAfterOperator(sig, at, brokeOut, start);
    case "open":
      // A value that opens with a parenthesised constant comparison, `(5=5)*5`, is a boolean probe too.
      return brokeOut || isTautology(tokens, at) ? subExpressionAfterBreakout(tokens, at + 1, start) : undefined;
    case "comma":
      return brokeOut ? subExpressionAfterBreakout(tokens, at + 1, start) : undefined;
    case "string":
      return context !== "" && isQuoteRebalancing(tokens, at)
        ? { score: 0.7, technique: "string concatenation probe after breakout", at: start }
        : undefined;
    case "semicolon": {
      const rest = tokens[at + 1];
      if (brokeOut && (rest === undefined || rest.kind === "close"))
        return { score: 0.8, technique: "statement terminator after breakout", at: start };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** After AND/OR at a breakout: a condition, e.g. `' OR '1'='1`, `1) AND sleep(5)`, `' OR true--`. */
function conditionAfterLogic(
  sig: SignificantTokens,
  from: number,
  brokeOut: boolean,
  start: number,
  quoted: boolean,
): SqlSignal | undefined {
  const { tokens } = sig;
  const operand = operandAt(tokens, from);
  if (operand === -1) return undefined;
  const first = tokens[operand] as Token;
  if (first.kind === "function" && (brokeOut || isKnownFunction(first.text))) {
    return { score: 0.9, technique: `condition ${first.text}() after breakout`, at: start };
  }
  const after = skipOperand(tokens, operand);
  const next = tokens[after];
  if (isComparison(next)) {
    const right = operandAt(tokens, after + 1);
    if (right !== -1) return { score: brokeOut ? 0.9 : 0.85, technique: "boolean condition after breakout", at: start };
    // `x' or 1=`, `' or 'a' <`: the query's own closing quote becomes the right operand, `'x' or 1=''`.
    if (quoted && after === tokens.length - 1 && COMPARISON_SYMBOLS.test(next?.text ?? "")) {
      return { score: 0.8, technique: "comparison completed by the query's quote", at: start };
    }
    return undefined;
  }
  if (first.kind === "function") return undefined;
  if (first.kind === "bareword") return undefined;
  const terminated = sig.commentAfter[after - 1] === true;
  if (next === undefined) {
    if (terminated) return { score: 0.9, technique: "condition then comment", at: start };
    return brokeOut ? { score: 0.8, technique: "constant condition after breakout", at: start } : undefined;
  }
  if (brokeOut && (next.kind === "close" || next.kind === "semicolon" || next.kind === "logic" || isArithmetic(next))) {
    return { score: 0.85, technique: "condition after breakout", at: start };
  }
  return undefined;
}

/** A clause keyword right after a breakout: `1) WHERE 1=1`, `1" AS x WHERE`, `' ORDER BY 3--`, `' UNION …`. */
function clauseAfterBreakout(tokens: readonly Token[], at: number, brokeOut: boolean, start: number): SqlSignal | undefined {
  const token = tokens[at] as Token;
  const next = tokens[at + 1];
  if (startsStatement(tokens, at) && (brokeOut || endsStatement(tokens))) {
    return { score: 0.85, technique: `${token.text} statement`, at: start };
  }
  switch (token.text) {
    case "where":
    case "having": {
      const left = operandAt(tokens, at + 1);
      if (left === -1) return undefined;
      const operator = tokens[skipOperand(tokens, left)];
      if (isComparison(operator) || (brokeOut && tokens[left]?.kind === "function")) {
        return { score: 0.9, technique: `${token.text} clause after breakout`, at: start };
      }
      return undefined;
    }
    case "as": {
      // `1) AS x WHERE …`, `) as cc FROM …`: the value closes an expression, names it and goes on with the query.
      const clause = tokens[at + 2]?.text;
      const alias = next?.kind === "bareword" || next?.kind === "string";
      return brokeOut && alias && (clause === "where" || clause === "from")
        ? { score: 0.85, technique: `alias and ${clause} after breakout`, at: start }
        : undefined;
    }
    case "order":
    case "group": {
      if (next?.text !== "by") return undefined;
      const column = tokens[at + 2];
      const after = tokens[at + 3];
      const ends = after === undefined || after.kind === "comma" || after.kind === "close" || after.kind === "semicolon";
      if (column?.kind === "number" && ends) return { score: 0.85, technique: `${token.text} by column probe`, at: start };
      if (brokeOut && column !== undefined && (column.kind === "bareword" || column.kind === "function") && ends) {
        return { score: 0.8, technique: `${token.text} by after breakout`, at: start };
      }
      return undefined;
    }
    case "procedure":
      return next?.text === "analyse" || next?.kind === "function" ? { score: 0.9, technique: "procedure analyse", at: start } : undefined;
    case "select":
      return brokeOut && looksLikeSelectList(tokens, at + 1) ? { score: 0.85, technique: "select after breakout", at: start } : undefined;
    case "limit":
      return brokeOut && next?.kind === "number" ? { score: 0.75, technique: "limit after breakout", at: start } : undefined;
    default:
      return undefined;
  }
}

/** An operator right after a closed literal: `1'+(select …)`, `'||(select …)||'`, `1' rlike (select …)`, `'='`. */
function expressionAfterOperator(sig: SignificantTokens, at: number, brokeOut: boolean, start: number): SqlSignal | undefined {
  const { tokens } = sig;
  const operator = tokens[at] as Token;
  if (!isComparison(operator) && !isArithmetic(operator)) return undefined;
  const operand = operandAt(tokens, at + 1);
  if (operand === -1) return undefined;
  const value = tokens[operand] as Token;
  if (value.text === "select" || (value.kind === "function" && (brokeOut || isKnownFunction(value.text)))) {
    return { score: 0.9, technique: "expression after breakout", at: start };
  }
  if (!brokeOut) return undefined;
  // `'='`, `1'-'`, `x'+'`: the value rebuilds the query's own closing quote.
  const after = skipOperand(tokens, operand);
  if (value.kind === "string" && !value.closed && after === tokens.length) {
    return { score: 0.75, technique: "quote rebalancing after breakout", at: start };
  }
  const next = tokens[after];
  if (value.kind !== "bareword" && next !== undefined && (next.kind === "logic" || isComparison(next))) {
    return { score: 0.85, technique: "expression after breakout", at: start };
  }
  return undefined;
}

function isKnownFunction(name: string): boolean {
  return ATTACK_FUNCTIONS.has(name) || PROBE_FUNCTIONS.has(name) || ENCODING_FUNCTIONS.has(name);
}

/** `1' (select …)`, `1,(case when …)`, `1',iif(…)`: a sub-expression opened right after a breakout. */
function subExpressionAfterBreakout(tokens: readonly Token[], from: number, start: number): SqlSignal | undefined {
  const operand = operandAt(tokens, from);
  if (operand === -1) return undefined;
  const value = tokens[operand] as Token;
  if (value.text === "select" || value.text === "case" || (value.kind === "function" && isKnownFunction(value.text))) {
    return { score: 0.85, technique: "sub-expression after breakout", at: start };
  }
  const operator = tokens[skipOperand(tokens, operand)];
  if (value.kind !== "bareword" && isComparison(operator) && operandAt(tokens, skipOperand(tokens, operand) + 1) !== -1) {
    return { score: 0.85, technique: "condition after breakout", at: start };
  }
  return undefined;
}

/** Comparison symbols (not words: "or yours is" is prose) that can take the query's quote as their right side. */
const COMPARISON_SYMBOLS = /^(?:=|==|<>|!=|<|>|<=|>=|<=>)$/;

/**
 * `' '`, `' or '' '`: after the breakout only literals without letters remain,
 * the last one left open for the query's own quote. MySQL concatenates
 * adjacent literals, so the query stays valid: a probe for that behaviour.
 */
function isQuoteRebalancing(tokens: readonly Token[], at: number): boolean {
  for (let i = at; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind !== "string" || /[a-z]/.test(token.text)) return false;
    if (i === tokens.length - 1) return !token.closed;
  }
  return false;
}

/** `unistr(password)::int`, `lo_get(16400)::text`: a call cast to a SQL type is PostgreSQL, not prose or code. */
function castOfCall(tokens: readonly Token[]): SqlSignal | undefined {
  const end = skipOperand(tokens, 0);
  const cast = tokens[end - 1];
  const call = tokens[0] as Token;
  if (end < 3 || cast === undefined || !SQL_TYPES.has(cast.text) || tokens[end - 2]?.text !== "::") return undefined;
  return { score: 0.8, technique: `${call.text}() cast to ${cast.text}`, at: call.start };
}

/** A whole statement sent as the value: it ends the way a query does, with `;`. */
function endsStatement(tokens: readonly Token[]): boolean {
  return tokens[tokens.length - 1]?.kind === "semicolon";
}
