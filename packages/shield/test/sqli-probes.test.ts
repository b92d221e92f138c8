import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { findMixedQuoteRun, isQuoteProbe } from "../src/detectors/sqli/probes.js";
import type { Candidate } from "../src/detectors/types.js";

const BLOCKS = 0.7;

function scoreOf(value: string): number {
  const candidate: Candidate = { location: "query.id", kind: "query", raw: value, canonical: value, name: "id" };
  return sqliDetector.detect(candidate)?.score ?? 0;
}

describe("quote fuzz probes", () => {
  it("recognises scanner probes that unbalance a literal without writing SQL", () => {
    for (const value of ["1'", "'1", "1'1", '1"', "1`", "1\\", "'\\\"", "1/*'*/", '1""(.\'.(,(.', " 42' "]) {
      assert.ok(isQuoteProbe(value), value);
      assert.ok(scoreOf(value) >= BLOCKS, value);
    }
  });

  it("leaves names, words, balanced quotes, feet and inches and lone characters alone", () => {
    for (const value of [
      "O'Brien",
      "l'Eliana",
      "d'Aro 12",
      '"1,000"',
      "''",
      "'",
      '"',
      "5'11\"",
      "6' 2.5\"",
      "10'-6\"",
      "120' 6\"",
      "12",
      "Ça'",
      "1 2 3",
    ]) {
      assert.equal(isQuoteProbe(value), false, value);
    }
  });

  it("reads amounts grouped with apostrophes (Swiss style) as numbers, not probes", () => {
    for (const value of ["1'000.00", "1'000,00", "12'500", "-3'000,50", "1'234'567.89"]) {
      assert.equal(isQuoteProbe(value), false, value);
      assert.ok(scoreOf(value) < BLOCKS, value);
    }
    // Not grouped by threes: still the shape of a probe.
    for (const value of ["1'00", "1'0000", "12'34"]) assert.ok(isQuoteProbe(value), value);
  });

  it("reads a crying face as a face: its apostrophe is a tear", () => {
    for (const value of [":'(", ":'-(", ";')", "='[", ":'( :'(", " :'-) "]) {
      assert.equal(isQuoteProbe(value), false, value);
      assert.ok(scoreOf(value) < BLOCKS, value);
    }
    // A probe beside a face is still a probe.
    for (const value of [":'( 1'", "1' :')"]) assert.ok(isQuoteProbe(value), value);
  });

  it("ignores long values: a probe is short", () => {
    assert.equal(isQuoteProbe(`${"1".repeat(40)}'`), false);
  });

  it("finds sqlmap's mixed-quote heuristic probe but not nested prose quotes", () => {
    assert.ok(findMixedQuoteRun("1'qhfy<'\">utwq") >= 0);
    assert.ok(scoreOf("1'qhfy<'\">utwq") >= BLOCKS);
    for (const value of ['He said "it\'s fine"', "a < b", "'a' > \"b\"", "x' and y"]) assert.equal(findMixedQuoteRun(value), -1, value);
  });
});

describe("grammar additions", () => {
  it("blocks literal concatenation probes and comparisons finished by the query's own quote", () => {
    for (const value of ["' '", '" "', "' or '' '", '" or "" "', "x' or 1=", "admin' or 'x' <", "test'or 0>"])
      assert.ok(scoreOf(value) >= BLOCKS, value);
  });

  it("blocks GRANT and COPY statements after a breakout or as a whole statement", () => {
    for (const value of [
      "' grant connect to name; grant resource to name; --",
      "copy myfile from '/etc/passwd'; ",
      "1; copy t to program 'id'",
    ])
      assert.ok(scoreOf(value) >= BLOCKS, value);
  });

  it("blocks PostgreSQL JSON operators and casts in a condition", () => {
    for (const value of [
      "OR '{\"b\":2}'::jsonb <@ '{\"a\":1}'::jsonb",
      "OR '[1,2]' ? '1'",
      "OR '{\"a\":2}' -> 'a' = 7",
      "unistr(password)::int",
      "starts_with(password,'a')::int",
    ])
      assert.ok(scoreOf(value) >= BLOCKS, value);
  });

  it("does not read prose, questions or C++/Ruby scopes as these constructs", () => {
    for (const value of [
      "is this your parents' or yours?",
      "grant me access to the files; thanks",
      "; copy the text please",
      "std::string(x)::npos",
      "Foo::Bar(1)",
      "Jones' and Smith's",
      "a -> b",
      "what's 5 > 3?",
    ])
      assert.ok(scoreOf(value) < BLOCKS, value);
  });

  it("checks the attribute values of an XML body one by one", () => {
    assert.ok(scoreOf('<?xml version="1.0"?><root><a probe="x\' OR 1=1--"></a></root>') >= BLOCKS);
    assert.ok(scoreOf('<?xml version="1.0"?><root><a probe="O\'Brien"></a></root>') < BLOCKS);
  });
});
