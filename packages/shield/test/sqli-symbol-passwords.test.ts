import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { isQuoteProbe } from "../src/detectors/sqli/probes.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/**
 * Passwords typed along the keyboard mix quotes, `#`, `\`, `@@` and brackets
 * (`kl;'#`, `0-=\`, `XW@@`), the characters SQL is written with. These
 * readings keep the SQL meaning of each character and let the walks pass.
 */
describe("sqli: symbol-heavy passwords are not probes", () => {
  it("counts a backslash only where it escapes a quote: before one, or ending a number", () => {
    for (const value of ["1\\", "42\\", "-7\\", "\\'", "'\\\""]) assert.ok(isQuoteProbe(value), value);
    for (const value of ["7&8*9(0)-=\\5", "!@#$%^\\12", "=-0\\98", "(*&^\\)_+", "#$%^0-=\\"]) {
      assert.equal(isQuoteProbe(value), false, value);
      assert.ok(scoreOf(sqliDetector, value, "body", "password") < BLOCKS, value);
    }
  });

  it("reads a comment as a truncation only when nothing, or a space, follows its marker", () => {
    for (const value of ["admin'#", "admin' #", "x'-- ", "root'-- -", "1')#", "guest'-- zqwx"])
      assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
    for (const value of ["qw;'#E$R", "df'#%^&", "lk;'#$%^&"]) assert.ok(scoreOf(sqliDetector, value, "body", "password") < BLOCKS, value);
  });

  it("does not take a unary operator after the quote for a condition", () => {
    assert.ok(scoreOf(sqliDetector, "po;'!@#", "body", "password") < BLOCKS);
    assert.ok(scoreOf(sqliDetector, "po;'~@#", "body", "password") < BLOCKS);
    for (const value of ["x' or 1#", "x' and 2>1-- ", "x' not in (select 1)--"]) assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
  });

  it("takes NOT right after a closed literal for what it is: not a join", () => {
    for (const value of ["it'not'mine", 'ab"not"cd@mail.example', "x' not 'y"]) assert.ok(scoreOf(sqliDetector, value) < BLOCKS, value);
    for (const value of ["x' or not 1=2--", "x' and not false-- "]) assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
  });

  it("needs an SQL function, or a complete comparison, after a value that only closes a parenthesis", () => {
    for (const value of [")+|45=-", ")*|Lk(", ")+|Po(I*"]) assert.ok(scoreOf(sqliDetector, value, "body", "password") < BLOCKS, value);
    for (const value of [")+sleep(5)", ")|benchmark(9,md5(1))", "1)+2=2-- "]) assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
  });

  it("reads @@ as a server variable only when it stands apart from the word before it", () => {
    for (const value of ["QW@@#$", "ER@@T%", "pass@@word1"]) assert.ok(scoreOf(sqliDetector, value, "body", "password") < BLOCKS, value);
    for (const value of ["'+@@version+'", "x' and @@datadir>0-- ", "1 or @@hostname"])
      assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
  });
});
