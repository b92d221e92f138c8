/**
 * Classifies one tokenized context. Two families of evidence:
 *  - constructs that only exist in SQL, wherever they appear (UNION SELECT,
 *    a stacked statement, a sleep/error-extraction call, catalog tables):
 *    ./sql-only-constructs.ts;
 *  - a breakout: the value closes the literal or parenthesis it was placed in
 *    and continues as SQL (a logic operator and a condition, WHERE, ORDER BY,
 *    a comment that cuts off the rest of the query): ./breakout.ts;
 *  - in a raw position only, a value that is itself a piece of a query
 *    (`FROM t WHERE a=1`, `1 is not 2`): ./statement-fragments.ts, ./tautology.ts.
 * English prose produces neither: it has no reason to close a quote and then
 * write a well-formed boolean condition.
 */

import { findBreakout } from "./breakout.js";
import { significant } from "./grammar.js";
import type { Context, SqlSignal } from "./signal.js";
import { findSqlOnlyConstruct } from "./sql-only-constructs.js";
import { findStatementFragment } from "./statement-fragments.js";
import { wholeValueAlwaysTrue } from "./tautology.js";
import type { Token } from "./tokenizer.js";

export type { Context, SqlSignal } from "./signal.js";

export function classify(all: readonly Token[], context: Context): SqlSignal | undefined {
  const sig = significant(all);
  // In the identifier context, a SQL-only construct counts once the value closed a name (no spaces in it: Markdown
  // code spans have them). The raw context reads everything after a backtick as one name, so only this one sees it:
  // `` id` desc,(select sleep(3))-- ``.
  if (context === "`") return findBreakout(sig, context) ?? (closesName(sig.tokens[0]) ? findSqlOnlyConstruct(sig) : undefined);
  const found = findBreakout(sig, context) ?? findSqlOnlyConstruct(sig);
  if (found !== undefined || context !== "") return found;
  return wholeValueAlwaysTrue(sig.tokens) ?? findStatementFragment(sig);
}

function closesName(literal: Token | undefined): boolean {
  return literal?.closed === true && !/\s/.test(literal.text);
}
