/**
 * The clauses that close a SELECT after its conditions: LIMIT and OFFSET, which a sentence can hold ("2 limit 1 per
 * customer"), and the ones nothing but SQL writes: WITH ROLLUP after a GROUP BY (MySQL), FOR UPDATE and FOR SHARE
 * (PostgreSQL, MySQL 8, with NOWAIT or SKIP LOCKED), LOCK IN SHARE MODE (MySQL), INTO @variable (MySQL's
 * SELECT … INTO, last in the query since 8.0).
 */

import type { Token } from "./tokenizer.js";

export interface QueryTail {
  /** The index of the first token after the tail. */
  readonly end: number;
  /**
   * Whether the tail is SQL's alone: a clause no sentence writes (WITH ROLLUP, FOR UPDATE, LOCK IN SHARE MODE), or
   * two clauses in a row (`LIMIT 1 INTO @a`). LIMIT, OFFSET and INTO @name one by one are words a message can hold
   * ("2 limit 1 per customer", "1 into @john").
   */
  readonly sqlOnly: boolean;
}

/** The query-closing clauses from `at` on, as many as follow one another (none: `end` is `at`). */
export function readQueryTail(tokens: readonly Token[], at: number): QueryTail {
  let i = at;
  let sqlOnly = false;
  for (let clauses = 1; ; clauses++) {
    const next = clauseEnd(tokens, i);
    if (next === -1) return { end: i, sqlOnly };
    const word = tokens[i]?.text;
    if (clauses > 1 || (word !== "limit" && word !== "offset" && word !== "into")) sqlOnly = true;
    i = next;
  }
}

/** The index after the tail clause starting at `at`, or -1 when none starts there. */
function clauseEnd(tokens: readonly Token[], at: number): number {
  const text = (offset: number): string | undefined => tokens[at + offset]?.text;
  const kind = (offset: number): string | undefined => tokens[at + offset]?.kind;
  switch (text(0)) {
    case "with":
      return text(1) === "rollup" ? at + 2 : -1;
    case "limit":
      if (kind(1) !== "number") return -1;
      return kind(2) === "comma" && kind(3) === "number" ? at + 4 : at + 2;
    case "offset":
      return kind(1) === "number" ? at + 2 : -1;
    case "for": {
      if (text(1) !== "update" && text(1) !== "share") return -1;
      if (text(2) === "nowait") return at + 3;
      return text(2) === "skip" && text(3) === "locked" ? at + 4 : at + 2;
    }
    case "lock":
      return text(1) === "in" && text(2) === "share" && text(3) === "mode" ? at + 4 : -1;
    case "into": {
      if (kind(1) !== "variable") return -1;
      let i = at + 2;
      while (kind(i - at) === "comma" && kind(i - at + 1) === "variable") i += 2;
      return i;
    }
    default:
      return -1;
  }
}
