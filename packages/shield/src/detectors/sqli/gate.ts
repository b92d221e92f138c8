import {
  AMPERSAND,
  ANGLE,
  AT,
  BACKSLASH,
  BACKTICK,
  DOUBLE_QUOTE,
  EQUALS,
  HASH,
  MINUS,
  PAREN,
  PIPE,
  QUOTE,
  SEMICOLON,
  WILDCARD,
} from "../char-classes.js";

/**
 * Cheap gate: a value with none of `' " \` ( ) ; # = < > | & @ * \`, `--` or
 * `/*` cannot change a query. Most benign values (names, numbers, ids) stop
 * here without allocating. The punctuation is read from the character classes
 * the scan already computed; the classes that also hold other characters
 * (`*` shares WILDCARD with `?`, `--` needs two minus signs) are confirmed on
 * the value. The word list holds the SQL words every finding needs at least
 * one of when there is no punctuation.
 */
const SQL_PUNCTUATION_CLASSES =
  QUOTE | DOUBLE_QUOTE | BACKTICK | PAREN | SEMICOLON | HASH | EQUALS | ANGLE | PIPE | AMPERSAND | AT | BACKSLASH;
/** A word may follow a digit with no blank between: MySQL reads `1ORDER BY 3` as `1 ORDER BY 3`. */
const SQL_WORDS =
  /(?<![a-z_])(?:and|or|xor|like|rlike|regexp|union|select|order|group|having|where|limit|sleep|waitfor|benchmark|exec|execute|declare|drop|alter|insert|delete|update|into|truncate|grant|revoke|information_schema|sqlite_(?:master|schema)|(?:xp|sp|pg)_[a-z]+)\b/i;

/** `classes`: the character classes of `value` (char-classes.ts), usually computed once by the scan. */
export function mightBeSql(value: string, classes: number): boolean {
  return hasSqlPunctuation(value, classes) || SQL_WORDS.test(value);
}

function hasSqlPunctuation(value: string, classes: number): boolean {
  if ((classes & SQL_PUNCTUATION_CLASSES) !== 0) return true;
  // `/*` needs the `*`, so `*` alone stands for both.
  if ((classes & WILDCARD) !== 0 && value.includes("*")) return true;
  return (classes & MINUS) !== 0 && value.includes("--");
}
