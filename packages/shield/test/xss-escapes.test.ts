import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findCss } from "../src/detectors/xss/css.js";
import { xssDetector } from "../src/detectors/xss/index.js";
import { decodeJsEscapes } from "../src/detectors/xss/script-sinks.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("xss: JS escapes a parser undoes", () => {
  it("decodes legacy octal escapes and drops a backslash before a letter with no escape meaning", () => {
    assert.equal(decodeJsEscapes("\\141\\154\\145\\162\\164\\50\\71\\51"), "alert(9)");
    assert.equal(decodeJsEscapes("\\74b\\76"), "<b>");
    assert.equal(decodeJsEscapes("pr\\ompt"), "prompt");
    assert.equal(decodeJsEscapes("java\\script"), "javascript");
    // Control escapes keep their backslash: `\n` is a newline and `\f` a form feed, not the letters.
    assert.equal(decodeJsEscapes("a\\nb\\tc\\fd"), "a\\nb\\tc\\fd");
  });

  for (const value of [
    "'-\\141lert(9)-'",
    "\\74img src=x onerror=\\160rompt(2)\\76",
    "x';pr\\ompt(3)//",
    "top.location=`javas\\cript:al\\ert(4)`",
    "[]['\\146\\151\\154\\164\\145\\162']['\\143\\157\\156\\163\\164\\162\\165\\143\\164\\157\\162']('\\160\\162\\157\\155\\160\\164\\50\\65\\51')()",
  ]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(xssDetector, value) >= BLOCKS, value));
  }

  for (const value of [
    "C:\\Users\\alex\\notes\\draft.txt",
    "C:\\temp\\171\\files",
    "line one\\nline two",
    "match \\d{3}-\\d{4} please",
    "\\frac{1}{2} of \\alpha",
    "D:\\backup\\2024\\confirm-list.csv",
  ]) {
    it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(xssDetector, value) < BLOCKS, value));
  }
});

describe("xss: CSS escapes old engines undid", () => {
  it("reads script-running CSS through hex and character escapes", () => {
    for (const value of ["width:expression\\28 alert(5)\\29", "x:expr\\65ssion(alert(6))", "x:\\65\\78pression(alert(7))"]) {
      assert.equal(findCss(value)?.what, "script-running CSS", value);
    }
    assert.ok(scoreOf(xssDetector, '<p style="x:expression\\28write(8)\\29">') >= BLOCKS);
  });

  it("lets escaped fonts, quotes and paths through", () => {
    for (const value of ['font-family: "Font\\20Name"', 'content: "\\201C"', "C:\\expressions\\notes.txt"]) {
      assert.ok(scoreOf(xssDetector, value) < BLOCKS, value);
    }
  });

  it("stays linear on long escape runs", () => {
    const started = performance.now();
    for (const run of ["\\28", "\\1", "\\a", "\\"]) scoreOf(xssDetector, `x:${run.repeat(50_000)}(`);
    assert.ok(performance.now() - started < 2_000);
  });
});
