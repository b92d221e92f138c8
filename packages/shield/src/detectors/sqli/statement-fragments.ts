/**
 * A value that is itself a piece of a query, sent into a raw position: it
 * starts the way a clause does (SELECT, FROM, ALTER TABLE, a destructive
 * statement) and goes on in SQL grammar, not in English. Each rule asks for
 * the clause keyword AND a continuation prose does not write: "select the best
 * option", "from home where I live" and "drop me a line" stay clean. Complete
 * INSERT, UPDATE, DELETE, DROP, CREATE and GRANT statements: ./whole-statements.ts.
 */

import { isComparison, operandAt, type SignificantTokens, skipGroupedOperand, skipOperand } from "./grammar.js";
import { readQueryTail } from "./query-tail.js";
import type { SqlSignal } from "./signal.js";
import type { Token } from "./tokenizer.js";
import { ATTACK_FUNCTIONS, isKnownFunction } from "./vocabulary.js";
import { findWholeStatement } from "./whole-statements.js";

export function findStatementFragment(sig: SignificantTokens): SqlSignal | undefined {
  const first = sig.tokens[0];
  if (first === undefined) return undefined;
  switch (first.text) {
    case "select":
      return selectLed(sig.tokens) ?? wholeSelect(sig);
    case "from":
      return fromLed(sig.tokens);
    case "alter":
      return alterTable(sig.tokens);
    default:
      if (sig.tokens.length === 1 && isSystemCatalog(first))
        return { score: 0.7, technique: `system catalog ${first.text}`, at: first.start };
      if (isUnclosedCall(sig.tokens)) return { score: 0.75, technique: `unclosed ${first.text}( call`, at: first.start };
      if (isUnfinishedCondition(sig.tokens)) return { score: 0.75, technique: "condition left for the query to finish", at: first.start };
      if (isNumberClosingQuery(sig.tokens)) return { score: 0.8, technique: "query-closing clause after a number", at: first.start };
      return findWholeStatement(sig.tokens, sig.commentAfter) ?? (DESTRUCTIVE.has(first.text) ? terminatedStatement(sig) : undefined);
  }
}

/**
 * `1 FOR UPDATE`, `1 LIMIT 1 INTO @a`: a number in a numeric position, then the clauses that close the query, one
 * of them SQL's own (see ./query-tail.ts); "2 limit 1 per customer" is a sentence.
 */
function isNumberClosingQuery(tokens: readonly Token[]): boolean {
  if (tokens[0]?.kind !== "number" || tokens.length < 2) return false;
  const tail = readQueryTail(tokens, 1);
  return tail.sqlOnly && (tail.end === tokens.length || tokens[tail.end]?.kind === "semicolon");
}

/**
 * Schemas only a database's own catalog has. Sent alone, into a position that
 * names a table or column (`?table=information_schema.tables`, `?sort=`),
 * they are the first step of mapping the database. The generic names in
 * CATALOG_NAMES (`all_users`, `user_tables`) could be an app's own values, so
 * only these count on their own.
 */
const SYSTEM_SCHEMAS = new Set([
  "information_schema",
  "pg_catalog",
  "pg_shadow",
  "sqlite_master",
  "sqlite_schema",
  "mysql.user",
  "mysql.db",
  // SQL Server's legacy catalog views and its scratch database; Access's system tables.
  "sysobjects",
  "syscolumns",
  "sysdatabases",
  "tempdb",
  "msysobjects",
  "msysaccessobjects",
  "msysqueries",
  "msysrelationships",
]);

/**
 * SQL functions beyond the attack, probe and encoding lists that a probe
 * opens a call to: date and math functions every dialect has, and SQL
 * Server's and Oracle's own (`db_name`, `xmltype`).
 */
const SQL_FUNCTIONS = new Set([
  "db_name",
  "sysdate",
  "now",
  "xmltype",
  "compress",
  "strcmp",
  "abs",
  "cos",
  "sin",
  "pow",
  "power",
  "log",
  "ln",
  "max",
  "min",
  "avg",
  "sum",
  "trim",
  "ltrim",
  "rtrim",
  "date",
  "year",
  "month",
  "day",
  "minute",
]);

/**
 * `AND 7829=(`, `|| checker ==`, `xor 2 <`: the value opens with AND, OR,
 * XOR, `&&` or `||`, names one operand and a comparison, and stops there (or
 * at an open parenthesis): a condition whose right side the query's own text
 * supplies. Prose does not end on a comparison sign.
 */
function isUnfinishedCondition(tokens: readonly Token[]): boolean {
  if (tokens[0]?.kind !== "logic") return false;
  const operand = operandAt(tokens, 1);
  if (operand === -1) return false;
  let at = skipOperand(tokens, operand);
  if (!isComparison(tokens[at])) return false;
  // `===` is read as `==` then `=`.
  while (isComparison(tokens[at])) at++;
  while (tokens[at]?.kind === "open") at++;
  return at === tokens.length;
}

/**
 * `md5(`, `DaTaBasE(`, `sin (`: the whole value is a SQL function's name and
 * an open parenthesis, nothing after. The call is left for the query to go on
 * with: a probe for where the value lands. A finished call (`sin(30)`) is a
 * formula, and a word before a parenthesis in prose is followed by the aside.
 */
function isUnclosedCall(tokens: readonly Token[]): boolean {
  if (tokens.length !== 2 || tokens[1]?.kind !== "open") return false;
  const name = (tokens[0] as Token).text;
  return isKnownFunction(name) || SQL_FUNCTIONS.has(name);
}

/** The shortest and longest names in SYSTEM_SCHEMAS, and their first letters: a value outside these is not one. */
const SHORTEST_SCHEMA = Math.min(...[...SYSTEM_SCHEMAS].map((name) => name.length));
const LONGEST_SCHEMA = Math.max(...[...SYSTEM_SCHEMAS].map((name) => name.length));
const SCHEMA_INITIALS = new Set([...SYSTEM_SCHEMAS].map((name) => name.charCodeAt(0)));

/**
 * Whether the whole value is a system catalog's name (`mysql.db`, `tempdb`): asked of values the word gate
 * turned away, which keeps the gate's regex, run on every value, short.
 */
export function isSystemCatalogName(value: string): boolean {
  // Every name is one word starting with i, m, p, s or t: most values (words, sentences, numbers) are turned away before
  // the lower-casing the lookup needs.
  if (value.length < SHORTEST_SCHEMA || value.length > LONGEST_SCHEMA || !SCHEMA_INITIALS.has(value.charCodeAt(0) | 32)) return false;
  return value.indexOf(" ") === -1 && SYSTEM_SCHEMAS.has(value.toLowerCase());
}

/** The catalog names spelled in letters alone (`sysobjects`, `tempdb`): the scan takes such values for words, so it must be told. */
export const SYSTEM_SCHEMA_WORDS: ReadonlySet<string> = new Set([...SYSTEM_SCHEMAS].filter((name) => /^[a-z]+$/.test(name)));

function isSystemCatalog(token: Token): boolean {
  if (token.kind !== "bareword") return false;
  const dot = token.text.indexOf(".", token.text.startsWith("mysql.") ? 6 : 0);
  return SYSTEM_SCHEMAS.has(dot === -1 ? token.text : token.text.slice(0, dot));
}

/**
 * `SELECT CHAR(`, `select group_concat(`, `select pg_sleep`, `select 0x616263`:
 * SELECT and then a SQL function called with its parenthesis attached (how
 * code writes a call, not how prose writes an aside), an attack function's
 * name, or a hex literal.
 */
function selectLed(tokens: readonly Token[]): SqlSignal | undefined {
  let i = 1;
  const modifier = tokens[i]?.text;
  if (modifier === "all" || modifier === "distinct" || modifier === "top") i++;
  const item = tokens[i];
  if (item === undefined) return undefined;
  const at = (tokens[0] as Token).start;
  const open = tokens[i + 1];
  if (item.kind === "function" && isKnownFunction(item.text) && open?.start === item.start + item.text.length) {
    return { score: 0.8, technique: `select ${item.text}()`, at };
  }
  if (item.kind === "bareword" && ATTACK_FUNCTIONS.has(item.text)) return { score: 0.8, technique: `select ${item.text}`, at };
  if (item.kind === "number" && item.text.startsWith("0x") && item.text.length > 2) {
    return { score: 0.8, technique: "select hex literal", at };
  }
  return undefined;
}

/** Bound on the items of a select list looked at. */
const MAX_SELECT_ITEMS = 32;

/**
 * `SELECT 1,2,3`, `SELECT@@version`, `SELECT-1`, `SELECT~1`, `SELECT(1)`, `SELECT/**\/1;`: the whole value is a
 * SELECT of constants, variables or calls, the probe that checks whether a value is run as a statement. Every item
 * must be one of those (a column name is a word: "select name, email" is a form's instruction), and the list must
 * end the value, or end at `;` or a comment: "select 2 items" goes on in English.
 */
function wholeSelect(sig: SignificantTokens): SqlSignal | undefined {
  const { tokens, commentAfter } = sig;
  let i = 1;
  const modifier = tokens[i]?.text;
  if (modifier === "all" || modifier === "distinct") i++;
  for (let items = 0; items < MAX_SELECT_ITEMS; items++) {
    const operand = operandAt(tokens, i);
    if (operand === -1 || (tokens[operand] as Token).kind === "bareword" || (tokens[operand] as Token).text === "select") return undefined;
    i = skipGroupedOperand(tokens, i, operand);
    if (tokens[i]?.kind !== "comma") break;
    i++;
  }
  const ends = i === tokens.length || tokens[i]?.kind === "semicolon" || commentAfter[i - 1] === true;
  return ends ? { score: 0.8, technique: "select of constants as the value", at: (tokens[0] as Token).start } : undefined;
}

/**
 * `FROM users WHERE id=1`, `FROM t GROUP BY c`, `FROM t LIMIT 1`: the tail of
 * a query, one table name (plain, `quoted` or schema-qualified) and then a
 * clause in SQL form. "from home where I live" has no comparison after WHERE.
 */
function fromLed(tokens: readonly Token[]): SqlSignal | undefined {
  let i = 1;
  if (tokens[i]?.kind !== "bareword") return undefined;
  i++;
  if (tokens[i]?.text === "." && tokens[i + 1]?.kind === "bareword") i += 2;
  const clause = tokens[i];
  const next = tokens[i + 1];
  const at = (tokens[0] as Token).start;
  switch (clause?.text) {
    case "where": {
      const left = operandAt(tokens, i + 1);
      const operator = left === -1 ? undefined : tokens[skipOperand(tokens, left)];
      return isComparison(operator) ? { score: 0.85, technique: "from table where condition", at } : undefined;
    }
    case "group":
    case "order": {
      const column = tokens[i + 2];
      const ok = next?.text === "by" && (column?.kind === "bareword" || column?.kind === "number");
      return ok ? { score: 0.8, technique: `from table ${clause.text} by`, at } : undefined;
    }
    case "limit":
      return next?.kind === "number" ? { score: 0.8, technique: "from table limit", at } : undefined;
    default:
      return undefined;
  }
}

/** What ALTER TABLE does to a table; "alter table settings" is not one of them. */
const ALTER_ACTIONS = new Set(["add", "drop", "change", "modify", "rename", "alter", "engine", "convert"]);

/** `ALTER TABLE t ADD c TEXT`, ``ALTER TABLE `t` CHANGE …``: schema changes sent as a value. */
function alterTable(tokens: readonly Token[]): SqlSignal | undefined {
  const action = tokens[3];
  if (tokens[1]?.text !== "table" || tokens[2]?.kind !== "bareword" || action === undefined) return undefined;
  return ALTER_ACTIONS.has(action.text)
    ? { score: 0.85, technique: `alter table ${action.text}`, at: (tokens[0] as Token).start }
    : undefined;
}

/** Statements that destroy a named object in two words: `DROP users`, `TRUNCATE logs`. */
const DESTRUCTIVE = new Set(["drop", "truncate"]);

/**
 * `DROP sampletable;--`: a destructive statement naming one object, closed
 * with `;` and then a comment that cuts off whatever the query had after it.
 * The comment after the terminator is the tell: prose ends with a full stop.
 */
function terminatedStatement(sig: SignificantTokens): SqlSignal | undefined {
  const { tokens, commentAfter } = sig;
  if (tokens.length !== 3 || tokens[1]?.kind !== "bareword" || tokens[2]?.kind !== "semicolon" || commentAfter[2] !== true)
    return undefined;
  return { score: 0.85, technique: `${(tokens[0] as Token).text} statement then comment`, at: (tokens[0] as Token).start };
}
