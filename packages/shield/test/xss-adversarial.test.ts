import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Candidate } from "../src/detectors/types.js";
import { xssDetector } from "../src/detectors/xss/index.js";

function candidate(value: string): Candidate {
  return { location: "body.q", kind: "body", raw: value, canonical: value };
}

/** Characters the HTML and JS scanners treat specially, so random strings exercise every branch. */
const HTML_ALPHABET = fc.constantFrom(
  "<",
  ">",
  "/",
  "'",
  '"',
  "`",
  "=",
  " ",
  "\t",
  "a",
  "on",
  "onload",
  "script",
  "svg",
  "javascript:",
  "&#",
  "&colon;",
  "x",
  "(",
  "\\u0061",
  "<!",
  "<?",
);

describe("xssDetector on adversarial input", () => {
  it("never throws and always returns a well-formed result on random strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(HTML_ALPHABET, { maxLength: 120 }).map((parts) => parts.join("")),
        ),
        (value) => {
          const finding = xssDetector.detect(candidate(value));
          if (finding !== undefined) {
            assert.equal(finding.class, "xss");
            assert.ok(finding.score >= 0 && finding.score <= 1);
            assert.ok(finding.evidence.length <= 120);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  // A generous "does not hang" bound, not a speed test: a quadratic scan of 100 KB would take minutes.
  it("finishes 100 KB of angle brackets, quotes, slashes and handlers quickly", () => {
    const size = 100_000;
    for (const unit of [
      "<",
      "<a",
      "<a ",
      "'",
      '"',
      "/",
      "/*",
      "--",
      " on",
      "/ onx",
      "<a b=",
      "&#",
      "javascript:",
      "\\u0061",
      "on" + "a".repeat(50),
    ]) {
      const value = unit.repeat(Math.ceil(size / unit.length));
      const started = performance.now();
      xssDetector.detect(candidate(value));
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 2000, `${JSON.stringify(unit)} x ${value.length} took ${elapsed.toFixed(0)} ms`);
    }
  });
});
