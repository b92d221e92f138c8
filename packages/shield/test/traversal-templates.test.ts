import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalize } from "../src/canonicalize.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

/**
 * Fuzzers' traversal lists are templates (`../{FILE}`); sent unfilled, the
 * slot is where the target file goes. Separators spelled in hex (`0x2f`) and
 * the sloppy overlong `%c0%2e` are read as a lenient decoder reads them.
 */
describe("traversal: unfilled templates and exotic separators", () => {
  for (const value of [
    "../{FILE}",
    "....//{file}",
    ".//..//{FILE}",
    "./\\/./{FILE}",
    "0x2e0x2e0x2f{FILE}",
    "%c0%2e%c0%2e/{FILE}",
    "//{file}",
    "0x2e0x2e0x2fetc0x2fpasswd",
    "%c0%2e%c0%2e%c0%2fetc%c0%2fpasswd",
  ]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(traversalDetector, value) >= BLOCKS));
  }

  for (const value of ["/api/{version}/users", "/users/{id}", "{id}", "./{name}", "0x2F4A", "color 0x2e8b57", "{a}/{b}"]) {
    it(`lets ${value} through`, () => assert.ok(scoreOf(traversalDetector, value) < BLOCKS));
  }

  it("reads %c0%2e and %c0%2f as a decoder that skips the continuation check does, and leaves other bytes alone", () => {
    assert.equal(canonicalize("%c0%2e%c0%2e%c0%2f"), "../");
    assert.equal(canonicalize("%c0%ae%c0%ae%c0%af"), "../");
    // 0x5c's low six bits are not a backslash: no lenient decoder makes one of it.
    assert.notEqual(canonicalize("%c0%5c"), "\\");
  });

  it("stays fast on long runs of dots and slashes", () => {
    for (const value of [`${"./".repeat(100_000)}{x}`, `${"../".repeat(100_000)}x`, `${".".repeat(200_000)}/{file}`]) {
      const ms = fastestRun(() => scoreOf(traversalDetector, value), 500);
      assert.ok(ms < 500, `${value.slice(0, 12)}… took ${ms.toFixed(0)} ms`);
    }
  });
});
