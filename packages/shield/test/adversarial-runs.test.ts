import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DETECTORS } from "../src/detectors/index.js";
import type { InputKind } from "../src/detectors/types.js";
import { candidate, shieldDecisionOn } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

/**
 * The input that makes a backtracking regex slow: something that starts a match (a prefix), a long run of one
 * character that two quantifiers can share or that every start position rescans, and a character that makes the
 * match fail at the end. fuzz.test.ts repeats whole fragments; this feeds prefix + run + reject, the shape that
 * found `[\r\n]\s*…` (a run of newlines: 1.6 s per 20,000 characters) and `constructor\[\s*["']?\s*prototype`
 * (a run of spaces). The repository-wide static check (test/regex-linearity.test.mjs) covers single-character
 * runs in every regex; this covers what the detectors do around their regexes, on real detector inputs.
 */
const PREFIXES = [
  "",
  "'",
  '"',
  "(",
  ")",
  "[",
  "{%",
  "<",
  "/",
  "\n",
  ";",
  "=",
  ":",
  "$ne",
  "constructor[",
  "constructor.",
  "; return",
  "location=",
  "function",
  "window",
  "-->",
  "alias",
  ".",
  "../",
  "select",
  "or ",
  "onload=",
];
const RUNS = [" ", "\t", "\n", "\r\n", "a", "0", "'", "?", "*", "/", ".", "(", "-", "=", "\\", "%"];
const REJECT = "\u0001";
/** Long enough that a quadratic regex takes seconds here (the newline runs took 6 s at this length), a linear pass milliseconds. */
const LENGTH = 40_000;
/** Generous: the point is "does not hang" on a loaded CI machine, not speed (bench/shield.mjs measures speed). */
const BOUND_MS = 250;
const KINDS: readonly InputKind[] = ["query", "body-key"];

/**
 * Two-character units, which the static analysis (single-character runs only) cannot reason about: a separator and
 * a word character alternating is what a tokenizer or a "command after a separator" check sees most often.
 */
const UNIT_PREFIXES = ["", "'", "(", "\n", "constructor", "select", "<a ", "${", "/", "|"];
const UNITS = [" a", "a ", ";a", "a;", "\n ", "' ", " =", "a(", "/a", "a.", "|a", "&a", "<a", "a>", "%2"];

/** The values among `prefix` + each run that the detectors take longer than BOUND_MS over, with their times. */
function slowValues(prefix: string, runs: readonly string[]): string[] {
  const slow: string[] = [];
  for (const run of runs) {
    const value = prefix + run.repeat(Math.ceil(LENGTH / run.length)).slice(0, LENGTH) + REJECT;
    for (const kind of KINDS) {
      const elapsed = fastestRun(() => {
        const input = candidate(value, kind, "x");
        for (const detector of DETECTORS) detector.detect(input);
      }, BOUND_MS);
      if (elapsed > BOUND_MS) slow.push(`${JSON.stringify(run)} x ${LENGTH / run.length} as ${kind}: ${Math.round(elapsed)} ms`);
    }
  }
  return slow;
}

describe("prefix + long run + rejecting character stays linear", () => {
  for (const prefix of PREFIXES) {
    it(`after ${JSON.stringify(prefix)}`, () => {
      assert.deepEqual(slowValues(prefix, RUNS), []);
    });
  }

  for (const prefix of UNIT_PREFIXES) {
    it(`after ${JSON.stringify(prefix)}, runs of two-character units`, () => {
      assert.deepEqual(slowValues(prefix, UNITS), []);
    });
  }

  it("a 16 KB query value of newlines is decided through protect() within the bound", async () => {
    // The largest query node:http accepts by default (16 KB of headers): it took the shield 800 ms before.
    const value = `)${"\n".repeat(16_000)}x`;
    let fastest = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3 && fastest > BOUND_MS; attempt++) {
      const started = performance.now();
      const decision = await shieldDecisionOn({ method: "GET", url: `/search?q=${encodeURIComponent(value)}` });
      fastest = Math.min(fastest, performance.now() - started);
      assert.equal(decision.conclusion, "ALLOW");
    }
    assert.ok(fastest < BOUND_MS, `took ${Math.round(fastest)} ms`);
  });
});
