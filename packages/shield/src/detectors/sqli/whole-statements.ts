/**
 * A value that is a complete data-changing or schema statement, sent into a
 * raw position: `INSERT INTO t (a) VALUES ('x')`, `UPDATE t SET a='b' WHERE
 * id=5`, `GRANT ALL ON *.* TO 'x'@'%'`. No API takes a whole statement as a
 * parameter; one that arrives is someone testing whether it gets run.
 *
 * Each shape asks for the statement's full grammar, not its opening words:
 * "insert into the slot the values you want", "update users: set your role",
 * "grant access to Tom" and "delete from cart" open the same way and stop
 * being SQL at the next word.
 */

import { isComparison, looksLikeSelectList, operandAt, PRIVILEGES, skipGroupedOperand, skipOperand } from "./grammar.js";
import type { SqlSignal } from "./signal.js";
import type { Token } from "./tokenizer.js";
import { SQL_TYPES } from "./vocabulary.js";

export function findWholeStatement(tokens: readonly Token[], commentAfter: readonly boolean[]): SqlSignal | undefined {
  const first = tokens[0];
  if (first === undefined || first.kind !== "keyword") return undefined;
  const ended = (at: number) => endsStatement(tokens, commentAfter, at);
  let technique: string | undefined;
  switch (first.text) {
    case "insert":
    case "replace":
      technique = insertShape(tokens);
      break;
    case "update":
      technique = updateShape(tokens, ended);
      break;
    case "delete":
      technique = deleteShape(tokens);
      break;
    case "drop":
    case "truncate":
      technique = dropShape(tokens, ended);
      break;
    case "create":
      technique = createShape(tokens);
      break;
    case "grant":
    case "revoke":
      technique = grantShape(tokens);
      break;
  }
  return technique === undefined ? undefined : { score: 0.85, technique, at: first.start };
}

/**
 * Where a statement may stop: the end of the value, a `;`, or a comment that
 * cuts off the rest of the query. `at` is the index of the first token after
 * the statement; the comment is recorded on the token before it.
 */
function endsStatement(tokens: readonly Token[], commentAfter: readonly boolean[], at: number): boolean {
  return at === tokens.length || tokens[at]?.kind === "semicolon" || commentAfter[at - 1] === true;
}

/**
 * A table or column name: a word (schema-qualified names are one word to the
 * tokenizer, `db.users`), a word the tokenizer took for a call because a
 * column list follows (`users(name)`), or a quoted identifier.
 */
function isName(token: Token | undefined): boolean {
  if (token === undefined) return false;
  return token.kind === "bareword" || token.kind === "function" || (token.kind === "string" && token.closed);
}

/** Index past a parenthesised list of names (`(id, name)`) at `open`, or -1. */
function skipNameList(tokens: readonly Token[], open: number): number {
  if (tokens[open]?.kind !== "open") return -1;
  for (let i = open + 1; i < open + 2 * MAX_LIST_ITEMS; i += 2) {
    if (!isName(tokens[i])) return -1;
    const after = tokens[i + 1];
    if (after?.kind === "close") return i + 2;
    if (after?.kind !== "comma") return -1;
  }
  return -1;
}

/** Bound on the items of a column list or VALUES row looked at. */
const MAX_LIST_ITEMS = 64;

/**
 * `INSERT INTO t VALUES (…)`, `INSERT INTO t (a, b) VALUES (…)`, `INSERT INTO
 * t SELECT …`, MySQL's `INSERT INTO t SET a = 1`, and the same with REPLACE.
 */
function insertShape(tokens: readonly Token[]): string | undefined {
  const verb = (tokens[0] as Token).text;
  if (tokens[1]?.text !== "into" || !isName(tokens[2])) return undefined;
  let i = 3;
  if (tokens[i]?.kind === "open") {
    i = skipNameList(tokens, i);
    if (i === -1) return undefined;
  }
  const clause = tokens[i];
  switch (clause?.text) {
    case "values":
    case "value":
      return isValuesRow(tokens, i + 1) ? `${verb} into … values` : undefined;
    case "select":
      return isSelectList(tokens, i + 1) ? `${verb} into … select` : undefined;
    case "set":
      return assignmentsEnd(tokens, i + 1) !== -1 ? `${verb} into … set` : undefined;
    default:
      return undefined;
  }
}

/**
 * `(1, 'admin', NULL)`, `(@a, now())`: a closed row of expressions. At least
 * one item is not a bare word, so "values (honesty, care)" stays a list of
 * words even after an INSERT INTO.
 */
function isValuesRow(tokens: readonly Token[], open: number): boolean {
  if (tokens[open]?.kind !== "open") return false;
  let data = false;
  let i = open + 1;
  for (let items = 0; items < MAX_LIST_ITEMS; items++) {
    const operand = operandAt(tokens, i);
    if (operand === -1) return false;
    if ((tokens[operand] as Token).kind !== "bareword") data = true;
    i = skipGroupedOperand(tokens, i, operand);
    const after = tokens[i];
    if (after?.kind === "close") return data;
    if (after?.kind !== "comma") return false;
    i++;
  }
  return false;
}

/** `SELECT *`, `SELECT 1, 2`, `SELECT password FROM users`: a select list, or one column taken from a table. */
function isSelectList(tokens: readonly Token[], at: number): boolean {
  if (looksLikeSelectList(tokens, at)) return true;
  return tokens[at]?.kind === "bareword" && tokens[at + 1]?.text === "from" && isName(tokens[at + 2]);
}

/**
 * `a = 1, b = 'x'`, `balance = balance + 100`: comma-separated assignments of
 * an expression to a column. Returns the index past the last one, or -1.
 */
function assignmentsEnd(tokens: readonly Token[], from: number): number {
  let i = from;
  for (let items = 0; items < MAX_LIST_ITEMS; items++) {
    if (tokens[i]?.kind !== "bareword" || tokens[i + 1]?.text !== "=") return -1;
    i = expressionEnd(tokens, i + 2);
    if (i === -1) return -1;
    if (tokens[i]?.kind !== "comma") return i;
    i++;
  }
  return -1;
}

/** Bound on the operators chained in one expression. */
const MAX_TERMS = 16;

/** Index past an expression of operands joined by arithmetic operators (`price * 2 + 1`), or -1. */
function expressionEnd(tokens: readonly Token[], from: number): number {
  let i = from;
  for (let terms = 0; terms < MAX_TERMS; terms++) {
    const operand = operandAt(tokens, i);
    if (operand === -1) return -1;
    i = skipOperand(tokens, operand);
    while (tokens[i]?.kind === "close") i++;
    const joiner = tokens[i];
    if (joiner === undefined || !ARITHMETIC_JOINERS.has(joiner.text) || joiner.kind !== "operator") return i;
    i++;
  }
  return -1;
}

const ARITHMETIC_JOINERS = new Set(["+", "-", "*", "/", "%", "||"]);

/** `WHERE id = 5`, `WHERE name LIKE 'a%'`: WHERE and an operand compared to something. */
function isWhereCondition(tokens: readonly Token[], at: number): boolean {
  if (tokens[at]?.text !== "where") return false;
  const left = operandAt(tokens, at + 1);
  return left !== -1 && isComparison(tokens[skipOperand(tokens, left)]);
}

type Ended = (at: number) => boolean;

/**
 * `UPDATE users SET role = 'admin' WHERE id = 5`, `UPDATE t SET a = 1, b = 2`:
 * the assignments, then a WHERE condition or the end of the statement. "update
 * status set to done" has no `column =` after SET.
 */
function updateShape(tokens: readonly Token[], ended: Ended): string | undefined {
  if (!isName(tokens[1]) || tokens[2]?.text !== "set") return undefined;
  const end = assignmentsEnd(tokens, 3);
  if (end === -1) return undefined;
  return ended(end) || isWhereCondition(tokens, end) ? "update … set" : undefined;
}

/**
 * `DELETE FROM users WHERE id = 1`, `DELETE FROM users;`: a bare "delete from
 * cart" is a button label, so the statement needs its condition or a `;`.
 */
function deleteShape(tokens: readonly Token[]): string | undefined {
  if (tokens[1]?.text !== "from" || !isName(tokens[2])) return undefined;
  if (isWhereCondition(tokens, 3)) return "delete from … where";
  return tokens[3]?.kind === "semicolon" ? "delete from …;" : undefined;
}

/** What DROP and TRUNCATE name before the object: "drop me a line" names none of them. */
const DROPPABLE = new Set(["table", "database", "schema", "view", "procedure", "function", "index", "trigger", "sequence"]);

/**
 * Words for the language itself, not a table: "drop table mysql" and "create
 * database sql" are searches on a tutorial site, the way people look up syntax.
 */
const SYNTAX_SEARCH_WORDS = new Set([
  "sql",
  "mysql",
  "postgres",
  "postgresql",
  "sqlite",
  "oracle",
  "mssql",
  "syntax",
  "statement",
  "command",
  "query",
  "example",
  "tutorial",
]);

/**
 * `DROP TABLE users`, `DROP TABLE IF EXISTS a, b`, `TRUNCATE TABLE logs`: the
 * object, one or more names, and nothing after but the end of the statement
 * (or CASCADE). "truncate table text at 50 chars" goes on in English.
 */
function dropShape(tokens: readonly Token[], ended: Ended): string | undefined {
  const verb = (tokens[0] as Token).text;
  const object = tokens[1]?.text ?? "";
  if (!DROPPABLE.has(object)) return undefined;
  let i = 2;
  if (tokens[i]?.text === "if" && tokens[i + 1]?.text === "exists") i += 2;
  for (let items = 0; items < MAX_LIST_ITEMS; items++) {
    const name = tokens[i];
    if (name?.kind !== "bareword" || SYNTAX_SEARCH_WORDS.has(name.text)) return undefined;
    i++;
    if (tokens[i]?.kind !== "comma") break;
    i++;
  }
  if (tokens[i]?.text === "cascade" || tokens[i]?.text === "purge") i++;
  return ended(i) ? `${verb} ${object}` : undefined;
}

/**
 * `CREATE TABLE t (id INT, …)` (a column and its SQL type), `CREATE TABLE t AS
 * SELECT …`, `CREATE USER x IDENTIFIED BY 'pw'`, `CREATE USER x WITH PASSWORD
 * 'pw'`, `CREATE DATABASE evil;`. "Create table reservations for 4" and
 * "create user account" have no such continuation.
 */
function createShape(tokens: readonly Token[]): string | undefined {
  let i = 1;
  if (tokens[i]?.text === "temporary" || tokens[i]?.text === "temp") i++;
  const object = tokens[i]?.text;
  i++;
  if (object === "table" && tokens[i]?.text === "if" && tokens[i + 1]?.text === "not" && tokens[i + 2]?.text === "exists") i += 3;
  const name = tokens[i];
  if (name === undefined || !isName(name)) return undefined;
  const next = tokens[i + 1];
  switch (object) {
    case "table":
      if (next?.kind === "open" && isName(tokens[i + 2]) && SQL_TYPES.has(tokenText(tokens[i + 3]))) return "create table (columns)";
      return next?.text === "as" && tokens[i + 2]?.text === "select" && isSelectList(tokens, i + 3) ? "create table as select" : undefined;
    case "user":
    case "login":
      return hasCredential(tokens, i + 1) ? `create ${object} with a password` : undefined;
    case "database":
    case "schema":
      return name.kind === "bareword" && !SYNTAX_SEARCH_WORDS.has(name.text) && tokens[i + 1]?.kind === "semicolon"
        ? `create ${object};`
        : undefined;
    default:
      return undefined;
  }
}

function tokenText(token: Token | undefined): string {
  return token?.text ?? "";
}

/**
 * After `CREATE USER name`: MySQL's `@'host'` part, then `IDENTIFIED BY`, or
 * PostgreSQL's `[WITH] PASSWORD`, within a few tokens.
 */
function hasCredential(tokens: readonly Token[], from: number): boolean {
  const limit = Math.min(tokens.length, from + 4);
  for (let i = from; i < limit; i++) {
    const text = (tokens[i] as Token).text;
    if (text === "identified" && tokens[i + 1]?.text === "by") return true;
    if (text === "password" && (tokens[i + 1]?.kind === "string" || tokens[i + 1]?.text === "=")) return true;
  }
  return false;
}

/** Roles granted without an object: Oracle's `GRANT DBA TO scott`. */
const ROLES = new Set(["dba", "connect", "resource"]);

/** Bound on the tokens of an object name (`*.*`, `db.*`, `TABLE users`) between ON and TO. */
const MAX_OBJECT_TOKENS = 5;

/**
 * `GRANT ALL PRIVILEGES ON *.* TO 'x'@'%'`, `GRANT SELECT, INSERT ON users TO
 * bob`, `REVOKE ALL ON db.* FROM bob`, `GRANT DBA TO scott`: privileges, an
 * object, and a grantee. "grant access to Tom" grants no privilege SQL has.
 */
function grantShape(tokens: readonly Token[]): string | undefined {
  const verb = (tokens[0] as Token).text;
  const recipient = verb === "grant" ? "to" : "from";
  let i = 1;
  let onlyRoles = true;
  for (let items = 0; items < MAX_LIST_ITEMS; items++) {
    const privilege = tokenText(tokens[i]);
    if (!PRIVILEGES.has(privilege)) return undefined;
    if (!ROLES.has(privilege)) onlyRoles = false;
    i++;
    if (tokens[i]?.text === "privileges") i++;
    if (tokens[i]?.kind !== "comma") break;
    i++;
  }
  if (tokens[i]?.text === recipient) return onlyRoles && isGrantee(tokens, i + 1) ? `${verb} role` : undefined;
  if (tokens[i]?.text !== "on") return undefined;
  const objectStart = i + 1;
  const limit = Math.min(tokens.length, objectStart + MAX_OBJECT_TOKENS + 1);
  for (let j = objectStart; j < limit; j++) {
    const token = tokens[j] as Token;
    if (token.text === recipient && j > objectStart) return isGrantee(tokens, j + 1) ? `${verb} … on … ${recipient}` : undefined;
    if (!isObjectPart(token)) return undefined;
  }
  return undefined;
}

/**
 * One account and then the end of the statement or its options: `bob`,
 * `'x'@'%'` (MySQL's user at host), `bob WITH GRANT OPTION`. "grant all on
 * board to the team" goes on with a second word.
 */
function isGrantee(tokens: readonly Token[], at: number): boolean {
  const account = tokens[at];
  if (account === undefined || !(isName(account) || account.kind === "variable")) return false;
  let i = at + 1;
  if (tokens[i]?.text === "@") i += 2;
  const after = tokens[i];
  return after === undefined || after.kind === "semicolon" || after.text === "with" || after.text === "identified";
}

/** Pieces of an object name: words, `*` and `.` (`*.*`, `db.*`). */
function isObjectPart(token: Token): boolean {
  return token.kind === "bareword" || token.kind === "keyword" || token.text === "*" || token.text === ".";
}
