import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("sqli: a second statement right after a breakout, even cut short", () => {
  for (const attack of [
    "';select p",
    "';SELECT P",
    "'; select password from users",
    "'; select name from members where id=1",
    "';drop",
    '"; shutdown',
    "1);delete x",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(sqliDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    "O'Reilly; select one from the list",
    "the students'; update your info",
    "it's; select",
    "I'm here; select an option from the menu",
    "rock 'n' roll; drop by",
    "1; select",
    "'quoted'; then delete the old draft",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(sqliDetector, benign) < BLOCKS, benign));
  }

  it("keeps the stronger stacked-query finding for a full statement", () => {
    const finding = sqliDetector.detect({
      location: "query.q",
      kind: "query",
      raw: "'; drop table users--",
      canonical: "'; drop table users--",
    });
    assert.ok(finding !== undefined && finding.score >= 0.95 && finding.evidence.startsWith("stacked query"), finding?.evidence);
  });
});

describe("sqli: a value that opens with `;` and a statement", () => {
  for (const attack of [";update users", ";drop", "; select password from users"]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(sqliDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [";", "; drop me a line", "; select all that apply", ";,", "; see above"]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(sqliDetector, benign) < BLOCKS, benign));
  }
});

describe("sqli: a sub-select where a condition or a concatenated value goes", () => {
  for (const attack of ["'||(select 1)||'", "' or (select user from dual)", "' and (select 1)", "x') or (select 1,2)--"]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(sqliDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of ["Tom's or (select 1)", "Pick a size (select 1)", "yes or (select one)", "and (select carefully)"]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(sqliDetector, benign) < BLOCKS, benign));
  }
});
