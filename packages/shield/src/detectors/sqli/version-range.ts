/**
 * A version range as package managers write it (node-semver's grammar, which
 * Composer, Cargo and pip ranges mostly share): `>=16 || 14 >=14.17`,
 * `^1.2.3 || ~2.0`, `1.2 - 1.4`. Its `||` and comparisons are no SQL
 * condition; a whole value in this grammar is a dependency or an engine
 * constraint (package.json bodies, lockfile APIs, CI matrices).
 *
 * Each part is anchored to what can follow it, so the regex reads the value
 * once: a version is digits, `x` or `*` joined by dots, and spaces separate
 * comparators only where the next one starts with an operator or a digit.
 */
const PARTIAL = String.raw`v?(?:[xX*]|\d{1,9})(?:\.(?:[xX*]|\d{1,9})(?:\.(?:[xX*]|\d{1,9})(?:-[0-9A-Za-z.-]{1,40})?(?:\+[0-9A-Za-z.-]{1,40})?)?)?`;
const COMPARATOR = String.raw`(?:[<>]=?|=|~>?|\^)? ?${PARTIAL}`;
const RANGE = `${COMPARATOR}(?: - ${PARTIAL}|(?: +${COMPARATOR}){0,3})`;
const VERSION_RANGE = new RegExp(String.raw`^ *${RANGE}(?: *\|\| *${RANGE}){0,5} *$`);

/** Longer than any real constraint; the regex is linear anyway, this keeps it from reading a long body. */
const MAX_RANGE_LENGTH = 200;
/** What a range is written with (letters for `x`, `v` and pre-release tags); a quote or a parenthesis ends the question. */
const RANGE_CHARACTERS = /^[0-9a-zA-Z*.^~<>=|+ -]+$/;
/** Six ranges of four comparators: more words than that is not a range, and the regex need not try its splits. */
const MAX_WORDS = 32;

/** A number, then a comparison and a number: where SQL would compare two constants (`14 >=14.17`, `1 >= 1`). */
const NUMBER_COMPARISON = /(?:^|[ |])(\d{1,9}(?:\.\d{1,9})?) ?([<>]=?|=) ?(\d{1,9}(?:\.\d{1,9})?)(?=$|[ |])/g;

/**
 * True when the whole value is a version range that SQL could not read as a
 * true condition. `>=16 || 14 >=14.17` (14 and at least 14.17) compares
 * 14 >= 14.17 to SQL: false, so `|| 14 >=14.17` selects nothing. `1 || 1 >= 1`
 * is a range too, and a tautology in MySQL: not exempt.
 */
export function isVersionRange(value: string): boolean {
  if (value.length > MAX_RANGE_LENGTH || value.length < 3 || !RANGE_CHARACTERS.test(value)) return false;
  if (value.split(" ", MAX_WORDS + 1).length > MAX_WORDS || !VERSION_RANGE.test(value)) return false;
  for (const [, left, operator, right] of value.matchAll(NUMBER_COMPARISON)) {
    if (holds(Number(left), operator as string, Number(right))) return false;
  }
  return true;
}

function holds(left: number, operator: string, right: number): boolean {
  if (operator === "=") return left === right;
  if (operator === "<") return left < right;
  if (operator === "<=") return left <= right;
  if (operator === ">") return left > right;
  return left >= right;
}
