import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Candidate } from "../src/detectors/types.js";
import { xssDetector } from "../src/detectors/xss/index.js";

/** The shield's medium sensitivity threshold: what a default deployment blocks. */
const BLOCKS = 0.7;

function scoreOf(value: string): number {
  const candidate: Candidate = { location: "query.q", kind: "query", raw: value, canonical: value, name: "q" };
  return xssDetector.detect(candidate)?.score ?? 0;
}

describe("xss: script URL inside a CSS url()", () => {
  for (const value of ["x=x:url(javascript", "STYLE=X:URL(JAVASCRIPT", "background: url('vbscript:msgbox(1)')"]) {
    it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) >= BLOCKS, `score ${scoreOf(value)}`));
  }
  for (const value of ["background: url(/img/a.png)", "read about javascript in the url (docs)", "url: javascript tutorials"]) {
    it(`allows ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) < BLOCKS, `score ${scoreOf(value)}`));
  }
});

describe("xss: shortest JSFuck atoms", () => {
  for (const value of ["!![]", "+!![]", "[]+[]"]) {
    it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) >= BLOCKS, `score ${scoreOf(value)}`));
  }
  for (const value of ["[]()", "wow!!! (really)", "list[] = ()"]) {
    it(`allows ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) < BLOCKS, `score ${scoreOf(value)}`));
  }
});
