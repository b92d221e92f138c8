import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parameterSuggestsUrl } from "../src/detectors/ssrf/index.js";

// parameterSuggestsUrl remembers the last name it was asked about (values of a JSON array come under the same few
// names): whatever the order of the questions, each answer must be the one for its own name.

const URL_NAMES = ["url", "imageSrc", "callback", "redirect_uri", "HOST", "webhookTarget"];
const OTHER_NAMES = ["name", "q", "title", "id", "note", "x".repeat(41)];

describe("URL-like parameter names", () => {
  it("answers for each name, in any order of questions", () => {
    const names = fc.constantFrom<string | undefined>(...URL_NAMES, ...OTHER_NAMES, undefined, "url".padEnd(41, "x"));
    fc.assert(
      fc.property(fc.array(names, { maxLength: 30 }), (sequence) => {
        for (const name of sequence) {
          const expected = name !== undefined && name.length <= 40 && URL_NAMES.includes(name);
          assert.equal(parameterSuggestsUrl(name), expected, `${name} after ${sequence.join(",")}`);
        }
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it("gives a different answer right after the previous one", () => {
    assert.equal(parameterSuggestsUrl("url"), true);
    assert.equal(parameterSuggestsUrl("name"), false);
    assert.equal(parameterSuggestsUrl("name"), false);
    assert.equal(parameterSuggestsUrl("url"), true);
    assert.equal(parameterSuggestsUrl(undefined), false);
    assert.equal(parameterSuggestsUrl("url"), true);
  });
});
