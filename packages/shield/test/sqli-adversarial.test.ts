import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { Candidate } from "../src/detectors/types.js";

function candidate(value: string): Candidate {
  return { location: "body.q", kind: "body", raw: value, canonical: value };
}

/** Characters the tokenizer treats specially, so random strings exercise every branch. */
const SQL_ALPHABET = fc.constantFrom(
  "'",
  '"',
  "`",
  "(",
  ")",
  ";",
  "#",
  "-",
  "/",
  "*",
  "!",
  "@",
  "=",
  "<",
  ">",
  "|",
  "&",
  " ",
  "\t",
  "1",
  "0x",
  "a",
  "or",
  "union",
  "select",
  "/*!",
  "*/",
  "\\",
);

describe("sqliDetector on adversarial input", () => {
  it("never throws and always returns a well-formed result on random strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(SQL_ALPHABET, { maxLength: 120 }).map((parts) => parts.join("")),
        ),
        (value) => {
          const finding = sqliDetector.detect(candidate(value));
          if (finding !== undefined) {
            assert.equal(finding.class, "sqli");
            assert.ok(finding.score >= 0 && finding.score <= 1);
            assert.ok(finding.evidence.length <= 120);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  // A generous "does not hang" bound, not a speed test: a quadratic scan of 100 KB would take minutes.
  it("finishes 100 KB of quotes, parentheses, comments and dashes quickly", () => {
    const size = 100_000;
    for (const unit of ["'", "(", "<", "/*", "--", "a/*", "/*!", "1=", "' or ", "select(", "`"]) {
      const value = unit.repeat(Math.ceil(size / unit.length));
      const started = performance.now();
      sqliDetector.detect(candidate(value));
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 2000, `${JSON.stringify(unit)} x ${value.length} took ${elapsed.toFixed(0)} ms`);
    }
  });
});
