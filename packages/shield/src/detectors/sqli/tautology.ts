/**
 * Comparisons of constants: the boolean-blind probe. `1=1`, `'a'='a'`,
 * `2>1` have no use in a request parameter except to test whether the value
 * reaches a query's WHERE clause.
 */

import { isComparison, operandAt, skipGroupedOperand } from "./grammar.js";
import type { SqlSignal } from "./signal.js";
import type { Token } from "./tokenizer.js";

const EQUALITY = new Set(["=", "==", "<=>", "like", "is", "regexp", "rlike"]);
const INEQUALITY = new Set(["!=", "<>"]);

/**
 * `1=1`, `42<=>42`, `11!=1`, `'a' like 'a'`, `1 is not 2`, `'1' not regexp '2'`:
 * the whole value is a comparison of two constants that is always true, the
 * payload a scanner sends into a numeric position to test boolean injection.
 * Only true ones count (`1<2` may be a range a user typed; `5=5` has no other
 * use), and only as the whole value.
 */
export function wholeValueAlwaysTrue(tokens: readonly Token[]): SqlSignal | undefined {
  const end = alwaysTrueComparisonEnd(tokens, 0);
  return end === tokens.length ? { score: 0.75, technique: "constant true comparison", at: (tokens[0] as Token).start } : undefined;
}

/**
 * Index just past an always-true comparison of two constants starting at
 * `from` (`5=5`, `'a'<>'b'`, `1 is not 2`), or -1. A negation (`not like`,
 * `is not`) turns equality into inequality.
 */
export function alwaysTrueComparisonEnd(tokens: readonly Token[], from: number): number {
  const left = tokens[from];
  let at = from + 1;
  let negated = false;
  if (tokens[at]?.text === "not") {
    negated = true;
    at++;
  }
  const operator = tokens[at];
  if (operator?.kind !== "operator") return -1;
  if (operator.text === "is" && tokens[at + 1]?.text === "not") {
    negated = !negated;
    at++;
  }
  const right = tokens[at + 1];
  if (left === undefined || right === undefined || !isConstant(left) || !isConstant(right) || left.kind !== right.kind) return -1;
  const same = left.text === right.text;
  const equality = EQUALITY.has(operator.text);
  if (!equality && !INEQUALITY.has(operator.text)) return -1;
  // `x = x` is true, `x != x` false; a negation flips which one holds.
  return same === (equality !== negated) ? at + 2 : -1;
}

function isConstant(token: Token): boolean {
  return token.kind === "number" || (token.kind === "string" && token.closed);
}

/**
 * `1=1`, `'a'='a'`, `x=x`, `2>1`: a comparison of two constants (or a name
 * with itself) starting at `from`, as written after AND/OR/WHERE. Prose has
 * no reason to write one.
 */
export function isTautology(tokens: readonly Token[], from: number): boolean {
  const left = operandAt(tokens, from);
  if (left === -1) return false;
  const leftToken = tokens[left] as Token;
  const operatorAt = leftToken.kind === "function" ? -1 : skipGroupedOperand(tokens, from, left);
  const operator = tokens[operatorAt];
  if (!isComparison(operator)) return false;
  const right = operandAt(tokens, operatorAt + 1);
  if (right === -1) return false;
  const rightToken = tokens[right] as Token;
  const constant = (t: Token) => t.kind === "number" || t.kind === "string";
  if (constant(leftToken) && constant(rightToken)) return true;
  return leftToken.kind === "bareword" && rightToken.kind === leftToken.kind && rightToken.text === leftToken.text;
}
