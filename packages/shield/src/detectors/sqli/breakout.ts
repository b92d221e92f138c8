/**
 * The breakout: where the value leaves the context it was spliced into (a
 * quoted literal, a parenthesis, a numeric position) and goes on as SQL. What
 * follows the breakout decides: a condition after AND/OR, an operator and an
 * expression, a sub-expression, a clause keyword (./clause-after-breakout.ts).
 */

import { clauseAfterBreakout } from "./clause-after-breakout.js";
import {
  isArithmetic,
  isComparison,
  looksLikeSelectList,
  operandAt,
  type SignificantTokens,
  skipGroupedOperand,
  skipOperand,
  startsStatement,
} from "./grammar.js";
import type { Context, SqlSignal } from "./signal.js";
import { isTautology } from "./tautology.js";
import type { Token } from "./tokenizer.js";
import { isKnownFunction, LITERAL_WORDS, SQL_TYPES, STATEMENT_WORDS } from "./vocabulary.js";

/**
 * The breakout: where the value leaves its context. In a quoted context, the
 * first token is the literal the value was placed in; it must be closed by the
 * value itself. In the raw context, a value that starts with a number (or with
 * SQL itself) is treated as spliced into a numeric position.
 */
export function findBreakout(sig: SignificantTokens, context: Context): SqlSignal | undefined {
  const { tokens } = sig;
  let at: number;
  if (context !== "") {
    const literal = tokens[0];
    if (literal === undefined || !literal.closed) return undefined;
    // A quoted identifier is a name (`sort=created_at`); a literal with spaces before the backtick is prose
    // quoting code in Markdown, "use `--force`", not a column name being closed.
    if (context === "`" && hasSpace(literal.text)) return undefined;
    at = 1;
  } else {
    const first = tokens[0];
    if (first === undefined) return undefined;
    if (first.kind === "number") at = 1;
    else if (first.kind === "operator" && first.text === "-" && tokens[1]?.kind === "number") at = 2;
    // A value starting with `)` closes a parenthesis of the query it lands in: `) as x from …`, `) or (…`.
    else if (first.kind === "logic" || first.kind === "keyword" || first.kind === "open" || first.kind === "close") at = 0;
    else if (first.kind === "function") return castOfCall(tokens);
    else if (first.kind === "semicolon") return statementAfterLeadingTerminator(tokens);
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
    // Markdown writes "`--flag`" and "[`#12`]": after a backtick, a comment alone is not enough.
    if (comment && brokeOut && context !== "`" && endsLikeTruncation(sig.lineCommentBody))
      return { score: 0.85, technique: "comment truncation after breakout", at: 0 };
    return undefined;
  }
  // `z' or email notnull--`, `user' collate nocase--`: SQL after the quote, then the rest of the query cut off.
  // A unary operator cannot follow the literal: `kl;'!@#$` is a keyboard walk, not `'x' ! @` and a comment.
  const lastIndex = tokens.length - 1;
  if (
    context !== "" &&
    context !== "`" &&
    sig.commentAfter[lastIndex] === true &&
    lastIndex > at &&
    (token.kind === "logic" || (token.kind === "operator" && !UNARY_ONLY.has(token.text))) &&
    !isHyphenatedWords(tokens, at, lastIndex)
  ) {
    return { score: 0.85, technique: "condition then comment after breakout", at: start };
  }
  switch (token.kind) {
    case "logic":
      // NOT is unary: right after the closed literal, `'x' NOT 'y'` is a syntax error, not a condition, and
      // `just"not"right@example.com` is an address. (`' NOT IN (…)--` is caught above by the comment ending it.)
      if (token.text === "not") return undefined;
      return conditionAfterLogic(sig, at + 1, brokeOut, start, context !== "");
    case "keyword":
      return clauseAfterBreakout(tokens, at, brokeOut, start);
    case "operator":
      return expressionAfterOperator(sig, at, brokeOut, start);
    case "open":
      // A value that opens with a parenthesised constant comparison, `(5=5)*5`, is a boolean probe too.
      if (brokeOut || isTautology(tokens, at)) return subExpressionAfterBreakout(tokens, at + 1, start);
      return endsInBareExponent(tokens[at - 1]) ? callAfterBareExponent(tokens, at + 1, start) : undefined;
    case "comma":
      // `1,(select 1)`: a number, then a sub-select as the next item of the list it lands in.
      return brokeOut || (at === 1 && tokens[0]?.kind === "number" && tokens[2]?.kind === "open")
        ? subExpressionAfterBreakout(tokens, at + 1, start)
        : undefined;
    case "string":
      return context !== "" && isQuoteRebalancing(tokens, at)
        ? { score: 0.7, technique: "string concatenation probe after breakout", at: start }
        : undefined;
    case "semicolon": {
      const rest = tokens[at + 1];
      if (brokeOut && (rest === undefined || rest.kind === "close"))
        return { score: 0.8, technique: "statement terminator after breakout", at: start };
      // A full statement after `;` is the stronger "stacked query" of ./sql-only-constructs.ts: leave it to that rule.
      if (brokeOut && !startsStatement(tokens, at + 1) && isStackedProbe(tokens, at + 1))
        return { score: 0.85, technique: "statement after breakout", at: start };
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
  // `'||(select 1)||'`, `' or (select user from t)`: a sub-select where the condition or the concatenated value goes.
  const selected = tokens[operand + 1];
  const selectList = looksLikeSelectList(tokens, operand + 1) || (selected?.kind !== "open" && tokens[operand + 2]?.text === "from");
  if (brokeOut && first.text === "select" && tokens[operand - 1]?.kind === "open" && selectList) {
    return { score: 0.9, technique: "sub-select after breakout", at: start };
  }
  // `1 and (select user())`, `1 or (select 1)=1`, `1 or exists(select 1)`: in a numeric position, a sub-select
  // (or a call whose argument is one) as the condition, alone or compared. Prose writes no parenthesised SELECT list.
  const subSelect = subSelectOperand(tokens, operand);
  if (subSelect !== -1) {
    const following = tokens[subSelect];
    if (following === undefined || following.kind === "close" || following.kind === "logic" || following.kind === "semicolon")
      return { score: 0.85, technique: "sub-select condition", at: start };
    if (isComparison(following) && operandAt(tokens, comparisonRight(tokens, subSelect)) !== -1)
      return { score: 0.9, technique: "sub-select compared after breakout", at: start };
  }
  let after = skipGroupedOperand(tokens, from, operand);
  // `1 or 3*2>(0+5+0+0)`, `1 and 2+2=4`: arithmetic on a number, then compared: the left side is the whole sum.
  if (first.kind === "number" && isArithmetic(tokens[after])) {
    const end = arithmeticEnd(tokens, after);
    if (isComparison(tokens[end])) after = end;
  }
  const next = tokens[after];
  if (isComparison(next)) {
    const right = operandAt(tokens, comparisonRight(tokens, after));
    if (right !== -1) {
      // "and I <3 you too": without a breakout, a comparison that two plain words go on from is a sentence's.
      const tail = skipOperand(tokens, right);
      if (!brokeOut && tokens[tail]?.kind === "bareword" && tokens[tail + 1]?.kind === "bareword") return undefined;
      return { score: brokeOut ? 0.9 : 0.85, technique: "boolean condition after breakout", at: start };
    }
    // `x' or 1=`, `' or 'a' <`: the query's own closing quote becomes the right operand, `'x' or 1=''`.
    if (quoted && after === tokens.length - 1 && COMPARISON_SYMBOLS.test(next?.text ?? "")) {
      return { score: 0.8, technique: "comparison completed by the query's quote", at: start };
    }
    return undefined;
  }
  if (first.kind === "function") return undefined;
  if (first.kind === "bareword") return undefined;
  // `9999 or true`, `1 || true`: OR TRUE makes any condition true, whatever came before it.
  if (first.text === "true" && tokens[after] === undefined && ALWAYS_TRUE_JOINS.has(tokens[from - 1]?.text ?? "")) {
    return { score: 0.8, technique: "or true", at: start };
  }
  const terminated = sig.commentAfter[after - 1] === true;
  if (next === undefined && terminated) return { score: 0.9, technique: "condition then comment", at: start };
  if (quoted && closesWordThenDangles(sig, after)) return undefined;
  // "use 'or' instead of 'and' (see p. 2)", 'what "or" means in this context': a literal holding a clause of prose
  // is quoted text, not an operand, whether the query's quote closes it or a quote of the value does.
  if (first.kind === "string" && PROSE_CLAUSE.test(first.text)) return undefined;
  if (next === undefined) {
    if (brokeOut) return { score: 0.8, technique: "constant condition after breakout", at: start };
    return isConstantLogic(tokens, from, operand) ? { score: 0.75, technique: "constant logic on a number", at: start } : undefined;
  }
  if (brokeOut && (next.kind === "close" || next.kind === "semicolon" || next.kind === "logic" || isArithmetic(next))) {
    // `" and 3/4" pipes`: inches after a quoted size. Arithmetic that ends in a word or another literal is no expression.
    return isArithmetic(next) && !endsExpression(tokens[arithmeticEnd(tokens, after)])
      ? undefined
      : { score: 0.85, technique: "condition after breakout", at: start };
  }
  return undefined;
}

/** Joins only code writes between two constants: "1 or 2" is a choice in prose, `1 && 1`, `1 xor 1` are not. */
const SYMBOL_JOINS = new Set(["&&", "||", "xor"]);

/**
 * `1 xor 1`, `1 && 1`, `1 and not 0`, `1 or !!1`, `1 and~0`: a number in a numeric position joined to a constant by a
 * join prose does not write, or to a constant negated with NOT, `!` or `~`. "1 or 2" and "1 and -1" are lists of numbers.
 * `from` is just past the join, `operand` the constant's index; the value ends after it.
 */
function isConstantLogic(tokens: readonly Token[], from: number, operand: number): boolean {
  const constant = tokens[operand] as Token;
  if (constant.kind !== "number" && !(constant.kind === "string" && constant.closed) && !LITERAL_WORDS.has(constant.text)) return false;
  if (SYMBOL_JOINS.has(tokens[from - 1]?.text ?? "")) return operand === from;
  if (operand === from) return false;
  for (let i = from; i < operand; i++) {
    const text = (tokens[i] as Token).text;
    if (text !== "not" && text !== "!" && text !== "~") return false;
  }
  return true;
}

/** Where a comparison's right operand starts: after `sounds like` (MySQL's one comparison in two words), after the operator. */
function comparisonRight(tokens: readonly Token[], at: number): number {
  return tokens[at]?.text === "sounds" && tokens[at + 1]?.text === "like" ? at + 2 : at + 1;
}

/**
 * Index just past a parenthesised sub-select at `operand`, `(select 1)`, or past a call whose first argument is one,
 * `exists(select 1)`; -1 when the operand is neither. The SELECT must be followed by a select list (a number, a call,
 * `*`, …), not a word: "(select one)" is prose.
 */
function subSelectOperand(tokens: readonly Token[], operand: number): number {
  const first = tokens[operand] as Token;
  let select: number;
  if (first.text === "select" && tokens[operand - 1]?.kind === "open") select = operand;
  else if (first.kind === "function" && tokens[operand + 1]?.kind === "open" && tokens[operand + 2]?.text === "select")
    select = operand + 2;
  else return -1;
  // "(select 3 items)": a number then a word is a sentence's count, not a select list.
  if (!looksLikeSelectList(tokens, select + 1) || tokens[select + 2]?.kind === "bareword") return -1;
  // Past the parenthesis that opens just before the SELECT: bounded, as skipOperand's argument lists are.
  let depth = 1;
  const limit = Math.min(tokens.length, select + 256);
  for (let i = select + 1; i < limit; i++) {
    const kind = (tokens[i] as Token).kind;
    if (kind === "open") depth++;
    else if (kind === "close" && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * `Ballon d'Or 2023`, `Kids' or 4`, `ballon d'or 2023/24`, `Ballon d'Or 2023 & 2024`: the literal the value closes
 * holds a word, and the condition after OR runs to the end in numbers and arithmetic. The query's own closing quote
 * then follows a number, `'… d'or 2023'`, and is left dangling: no condition, at most an error probe (as `1' or 1`
 * is, whose literal holds no word). `a'or'a` is whole: the query's quote closes its last literal. `from` is just
 * past the condition's first operand.
 */
function closesWordThenDangles(sig: SignificantTokens, from: number): boolean {
  const { tokens } = sig;
  const last = tokens.length - 1;
  return (
    tokens[last]?.kind === "number" &&
    sig.commentAfter[last] !== true &&
    arithmeticEnd(tokens, from) === tokens.length &&
    /[a-z]/.test(tokens[0]?.text ?? "")
  );
}

/** Index just past a run of `operator operand` pairs starting at `at` (`+1`, `/4*2`); `at` itself when none. */
function arithmeticEnd(tokens: readonly Token[], at: number): number {
  let i = at;
  while (isArithmetic(tokens[i])) {
    const operand = operandAt(tokens, i + 1);
    if (operand === -1) return i;
    i = skipOperand(tokens, operand);
  }
  return i;
}

/** What may follow a complete expression inside a condition: its end, `)`, `;`, AND/OR or a comparison. */
function endsExpression(token: Token | undefined): boolean {
  return token === undefined || token.kind === "close" || token.kind === "semicolon" || token.kind === "logic" || isComparison(token);
}

/** After AND/OR: a condition, not a lone word ("null and void"). A name must be compared to something. */
function conditionFollows(tokens: readonly Token[], from: number): boolean {
  const operand = operandAt(tokens, from);
  if (operand === -1) return false;
  return (tokens[operand] as Token).kind !== "bareword" || isComparison(tokens[skipOperand(tokens, operand)]);
}

/**
 * `'='`, `'-0-'`, `'+1+'`: constants joined by arithmetic, the last one an
 * empty literal the query's own closing quote completes. Starts at the first
 * operand after the operator that followed the breakout.
 */
function endsInQueryQuote(tokens: readonly Token[], operand: number): boolean {
  let at = operand;
  for (;;) {
    const value = tokens[at] as Token;
    const after = skipOperand(tokens, at);
    // After arithmetic the last literal must be empty of words: "the '-0-' emoticon" quotes a symbol in prose.
    // The first operand may hold text (`'=' x`), but not a clause of prose: `the dash ("-") as separator` quotes a symbol.
    if (value.kind === "string" && !value.closed)
      return after === tokens.length && (at === operand ? !PROSE_CLAUSE.test(value.text) : !/[a-z]/.test(value.text));
    if (value.kind !== "number" && value.kind !== "string") return false;
    if (!isArithmetic(tokens[after])) return false;
    const next = operandAt(tokens, after + 1);
    if (next === -1) return false;
    at = next;
  }
}

/** Two words in a row: what a sentence carries on with after a quoted symbol. Starts only at a word's first letter (linear on a long word). */
const PROSE_CLAUSE = /(?<![a-z])[a-z]{2,}[\s,.;:!?]+[a-z]{2,}/i;

/** An operator right after a closed literal: `1'+(select …)`, `'||(select …)||'`, `1' rlike (select …)`, `'='`. */
function expressionAfterOperator(sig: SignificantTokens, at: number, brokeOut: boolean, start: number): SqlSignal | undefined {
  const { tokens } = sig;
  const operator = tokens[at] as Token;
  if (!isComparison(operator) && !isArithmetic(operator)) return undefined;
  const operand = operandAt(tokens, at + 1);
  if (operand === -1) return undefined;
  const value = tokens[operand] as Token;
  // Closing only a parenthesis (`)+|lo(`, a keyboard-walk password) breaks out of nothing quoted: the call must be SQL's.
  const quotedOut = brokeOut && tokens[0]?.kind === "string";
  if (value.text === "select" || (value.kind === "function" && (quotedOut || isKnownFunction(value.text)))) {
    return { score: 0.9, technique: "expression after breakout", at: start };
  }
  if (!brokeOut) return undefined;
  // `'='`, `1'-'`, `x'+'`, `'-0-'`: the value rebuilds the query's own closing quote, maybe after arithmetic on constants.
  const after = skipOperand(tokens, operand);
  if (endsInQueryQuote(tokens, operand)) {
    return { score: 0.75, technique: "quote rebalancing after breakout", at: start };
  }
  const next = tokens[after];
  // The comparison needs its right side: `)+|90=-` ends on a dangling operator; AND/OR needs a condition
  // (`' is null and void'` is the idiom, quoted).
  if (
    value.kind !== "bareword" &&
    next !== undefined &&
    ((next.kind === "logic" && conditionFollows(tokens, after + 1)) || (isComparison(next) && operandAt(tokens, after + 1) !== -1))
  ) {
    return { score: 0.85, technique: "expression after breakout", at: start };
  }
  return undefined;
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

/** `1.e`: a number with an exponent marker and no exponent, which MySQL accepts and glues to what follows. */
function endsInBareExponent(token: Token | undefined): boolean {
  return token?.kind === "number" && token.text.endsWith(".e");
}

/**
 * `1.e(select 1)`, `1.e(ascii 1.e(substring(…`: after `1.e(` (MySQL's scientific-notation glue, no blank needed),
 * a sub-select, a call or a SQL function's name. An outline number, "1.e(ii)", holds no SQL.
 */
function callAfterBareExponent(tokens: readonly Token[], from: number, start: number): SqlSignal | undefined {
  const found = subExpressionAfterBreakout(tokens, from, start);
  if (found !== undefined) return found;
  const name = tokens[from];
  return name?.kind === "bareword" && isKnownFunction(name.text) ? { score: 0.8, technique: "function after 1.e(", at: start } : undefined;
}

/** Operators SQL only writes before an operand, never between two. */
const UNARY_ONLY = new Set(["!", "~"]);

/**
 * `…DRESSES' -SHOES -HEEL --INFANT` (a search's exclusion list) and `add_argument('-v', '--version')` (command-line
 * flags): after the quote only `-`/`+` signs, words and strings up to a `--`, more than one sign or a string among
 * them. SQL would read a difference of column names, but no injection needs a list of them: a condition compares,
 * calls or uses a number, and all of those are kept, as is the lone `x'-email--` probe.
 */
function isHyphenatedWords(tokens: readonly Token[], from: number, last: number): boolean {
  let signs = 0;
  let strings = 0;
  for (let i = from; i <= last; i++) {
    const token = tokens[i] as Token;
    if (token.kind === "operator" && (token.text === "-" || token.text === "+")) signs++;
    else if (token.kind === "string") strings++;
    else if (token.kind !== "bareword") return false;
  }
  return signs > 1 || strings > 0;
}

/**
 * Whether the comment that cuts the query off reads as a cut: nothing after
 * the marker (`admin'#`, `x'--`), or a space first (`' -- -`, sqlmap's
 * `'-- xyzw`). Symbols or letters glued to a `#` (`kl;'#$%^`, `kl;'#E@W`) are
 * a keyboard-walk password, not a truncation.
 */
function endsLikeTruncation(body: string | undefined): boolean {
  if (body === undefined || body.length === 0) return true;
  const first = body.charCodeAt(0);
  return first <= 0x20 || first === 0x2d;
}

function hasSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) <= 0x20) return true;
  return false;
}

/** Joins after which a TRUE operand makes the whole condition true. */
const ALWAYS_TRUE_JOINS = new Set(["or", "||"]);

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

/** `;update users`, `;drop`: a value that opens by ending the statement it lands in, then starts another. */
function statementAfterLeadingTerminator(tokens: readonly Token[]): SqlSignal | undefined {
  if (startsStatement(tokens, 1) || !isStackedProbe(tokens, 1)) return undefined;
  return { score: 0.8, technique: "statement after a leading ;", at: (tokens[0] as Token).start };
}

/**
 * After a breakout and `;`, a second statement that a scanner cut short or
 * kept minimal: `';select p`, `';drop`, `'; select password from users`.
 * Prose does not close a quote and put `;` right after it; the statement
 * word must still be one SQL opens a statement with, and what follows it
 * either a single word or one column from one table.
 */
function isStackedProbe(tokens: readonly Token[], at: number): boolean {
  const word = tokens[at];
  if (word === undefined || !STATEMENT_WORDS.has(word.text)) return false;
  const rest = tokens.length - at - 1;
  if (rest === 0) return true;
  const next = tokens[at + 1] as Token;
  if (rest === 1) return next.kind === "bareword" || next.kind === "number" || next.text === "*";
  return (
    word.text === "select" &&
    next.kind === "bareword" &&
    tokens[at + 2]?.text === "from" &&
    tokens[at + 3]?.kind === "bareword" &&
    (rest === 3 || tokens[at + 4]?.kind === "semicolon" || tokens[at + 4]?.text === "where" || tokens[at + 4]?.text === "limit")
  );
}
