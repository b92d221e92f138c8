/**
 * A clause keyword right after a breakout: the value closed its literal or
 * parenthesis and continues the query with WHERE, ORDER BY, AS, SELECT, a
 * whole statement.
 */

import { isComparison, looksLikeSelectList, operandAt, skipOperand, startsStatement } from "./grammar.js";
import { readQueryTail } from "./query-tail.js";
import type { SqlSignal } from "./signal.js";
import type { Token } from "./tokenizer.js";

/** A clause keyword right after a breakout: `1) WHERE 1=1`, `1" AS x WHERE`, `' ORDER BY 3--`, `' UNION …`. */
export function clauseAfterBreakout(tokens: readonly Token[], at: number, brokeOut: boolean, start: number): SqlSignal | undefined {
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
      const operatorAt = skipOperand(tokens, left);
      const operator = tokens[operatorAt];
      if ((isComparison(operator) && comparisonCompletes(tokens, operatorAt)) || (brokeOut && tokens[left]?.kind === "function")) {
        return { score: 0.9, technique: `${token.text} clause after breakout`, at: start };
      }
      return undefined;
    }
    case "as": {
      // `1) AS x WHERE …`, `) as cc FROM …`: the value closes an expression, names it and goes on with the query.
      // A number needs no breakout to end a select list, `1234 AS "n" FROM t`, but then the alias must be quoted as SQL quotes one.
      const clause = tokens[at + 2]?.text;
      const continuesNumber = at === 1 && tokens[0]?.kind === "number" && next?.kind === "string" && next.closed;
      const alias = next?.kind === "bareword" || next?.kind === "string";
      return (brokeOut || continuesNumber) && alias && (clause === "where" || clause === "from")
        ? { score: 0.85, technique: `alias and ${clause} after breakout`, at: start }
        : undefined;
    }
    case "order":
    case "group": {
      if (next?.text !== "by") return undefined;
      const column = tokens[at + 2];
      // `ORDER BY 3 DESC`: a direction may follow the column.
      const direction = tokens[at + 3]?.text === "asc" || tokens[at + 3]?.text === "desc" ? 1 : 0;
      // `GROUP BY 1 WITH ROLLUP`, `ORDER BY 3 LIMIT 1`: the clauses that close a query may follow it too.
      const after = tokens[readQueryTail(tokens, at + 3 + direction).end];
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
    case "when": {
      // `) when 234 then`: the value closes an expression and continues a CASE.
      const operand = operandAt(tokens, at + 1);
      const then = operand === -1 ? undefined : tokens[skipOperand(tokens, operand)];
      return brokeOut && then?.text === "then" ? { score: 0.8, technique: "case when after breakout", at: start } : undefined;
    }
    case "limit":
      return brokeOut && next?.kind === "number" ? { score: 0.75, technique: "limit after breakout", at: start } : undefined;
    default:
      return undefined;
  }
}

/** What may follow IS: `IS NULL`, `IS NOT …`, `IS TRUE`, `IS DISTINCT FROM …`. */
const AFTER_IS = new Set(["null", "not", "true", "false", "unknown", "distinct"]);

/**
 * A word comparison that SQL could parse: "Where res is the response" and
 * "where people like the beach" are sentences, since IS takes only NULL, NOT,
 * a truth value or DISTINCT, and a bare name compared by a word is not
 * followed by another bare word.
 */
function comparisonCompletes(tokens: readonly Token[], at: number): boolean {
  const operator = tokens[at] as Token;
  if (operator.text === "is") return AFTER_IS.has(tokens[at + 1]?.text ?? "");
  if (!/^[a-z]/.test(operator.text)) return true;
  const right = operandAt(tokens, at + 1);
  if (right === -1) return false;
  return !(tokens[right]?.kind === "bareword" && tokens[skipOperand(tokens, right)]?.kind === "bareword");
}

/** A whole statement sent as the value: it ends the way a query does, with `;`. */
function endsStatement(tokens: readonly Token[]): boolean {
  return tokens[tokens.length - 1]?.kind === "semicolon";
}
