import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../src/canonicalize.js";
import { DETECTORS } from "../src/detectors/index.js";
import type { Candidate, InputKind } from "../src/detectors/types.js";

const KINDS: readonly InputKind[] = ["path", "query", "query-key", "header", "cookie", "body", "body-key"];

/** Fragments attackers repeat to make backtracking regexes explode. */
const FRAGMENTS = [
  "../",
  "%25",
  "%c0%af",
  "${",
  "}",
  "{{",
  "'",
  '"',
  " or ",
  "<",
  "a=",
  "&#",
  "\\u00",
  ";",
  "|",
  "$(",
  "[",
  "__proto__",
  "/*",
  " ",
  "0x",
  "::",
  "@",
  // A dot run naming no system directory, and "(" runs after an operator: both were quadratic once.
  ".",
  "./",
  "(",
  "( ",
];

function run(value: string, kind: InputKind): void {
  const candidate: Candidate = { location: `${kind}.x`, kind, raw: value, canonical: canonicalize(value), name: "x" };
  for (const detector of DETECTORS) {
    const finding = detector.detect(candidate);
    if (finding) {
      assert.ok(finding.score >= 0 && finding.score <= 1, `${detector.class} score out of range`);
      assert.ok(finding.evidence.length <= 120, `${detector.class} evidence too long`);
    }
  }
}

describe("fuzz: detectors never throw", () => {
  it("on random strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom(...KINDS), (value, kind) => run(value, kind)),
      { numRuns: 2_000 },
    );
  });

  it("on strings built from attack fragments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), fc.constantFrom(...KINDS), (parts, kind) =>
        run(parts.join(""), kind),
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("adversarial inputs stay linear", () => {
  // Generous bounds: the point is "does not hang", not speed (bench/shield.mjs measures speed).
  const LONG = 100_000;
  for (const fragment of FRAGMENTS) {
    it(`${JSON.stringify(fragment)} repeated to ${LONG} chars`, () => {
      const value = fragment.repeat(Math.ceil(LONG / fragment.length)).slice(0, LONG);
      const started = performance.now();
      for (const kind of ["query", "body-key"] as const) run(value, kind);
      assert.ok(performance.now() - started < 2_000, `took ${Math.round(performance.now() - started)} ms`);
    });
  }
});
