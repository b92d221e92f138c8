import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { Detector } from "../src/detectors/types.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/**
 * Families found by scoring the shield on lists it was not tuned on (wfuzz, libinjection's test data and its
 * false-positive list, npm package READMEs): each test names a family, with list entries and near misses.
 */
function blocks(detector: Detector, value: string): void {
  it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(detector, value) >= BLOCKS, value));
}

function passes(detector: Detector, value: string): void {
  it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(detector, value) < BLOCKS, value));
}

describe("outside lists: SQL injection", () => {
  describe("a sub-select reading its column through arithmetic (libinjection sqli-hackers)", () => {
    for (const value of [
      "(select login/2 from users limit 1,1)",
      "(select login/2 \r\n\r\nfrom users limit 1,1)",
      "1 and (select id*1 from users where id=1)",
      "(select pass-0 from admins limit 0,1)",
    ])
      blocks(sqliDetector, value);
    // Prose with "select … from" and arithmetic but no LIMIT number or WHERE comparison after the table.
    for (const value of ["select price*2 from the menu", "Select size+1 from chart below", "select rate/2 from list limit reached"])
      passes(sqliDetector, value);
  });

  describe("a list of hyphenated words after a quote is a search or a command line, not a condition", () => {
    for (const value of [
      "BLUE BROWN -BABY -TODDLER -CCBCUSTOMDRESSES' -SHOES -SANDLES -HEEL --INFANT -CHILD -KIDS",
      "parser.add_argument('-v', '--version', { action: 'version', version });",
      "parser.add_argument('-f', '--foo', { help: 'foo bar' });",
      "women's coat -fake -fur --size",
    ])
      passes(sqliDetector, value);
    // A number, a call, a comparison or a single signed name before the comment is still the probe it looks like.
    for (const value of ["x'-email--", "x'+email--", "x' - 1 --", "x' -sleep(5)--", "x' -a=a --", "x' or -a --"])
      blocks(sqliDetector, value);
  });
});

describe("outside lists: command injection", () => {
  describe("a JavaScript function line is not a shell function definition", () => {
    for (const value of [
      "return function () {",
      "setTimeout(function () {",
      "this.run = function () {",
      "stream.on('end', function() {",
      "onFinished(res, function () {",
    ])
      passes(cmdiDetector, value);
    // Shellshock's prefix needs no closing brace; a named shell function needs its body closed.
    for (const value of [
      "() {",
      "() { :; }; /bin/id",
      "x=() { :;}; echo vulnerable",
      ":(){ :|:& };:",
      "f(){ f|f& };f",
      "function f() { id; }; f",
    ])
      blocks(cmdiDetector, value);
  });

  describe("JavaScript's === and !== are not cmd.exe's IF ==", () => {
    for (const value of ["if (subranges.type === 'bytes') {", "if (a.length !== b.length) return", "if x===y then"])
      passes(cmdiDetector, value);
    for (const value of ['if "%1"=="x" goto a', "if %var%==1 echo hi", 'if /i "%x%"=="y" del *.*']) blocks(cmdiDetector, value);
  });
});
