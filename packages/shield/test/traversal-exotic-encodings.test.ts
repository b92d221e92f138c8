import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalize } from "../src/canonicalize.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { describeRules, scoreOf } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

// Fuzzers' "exotic" separators after `..`: what a lenient decoder (IIS `%u`, a UTF-8 decoder that drops a bad
// byte) turns into `/` or `\`, and separators of any kind repeated as a climb.
describeRules("traversal: exotic separators", (value) => scoreOf(traversalDetector, value), {
  "IIS %u private-use separators U+EFC8 and U+F025": {
    attacks: [
      "..%uEFC8..%uEFC8{FILE}",
      "..%uF025..%uF025{FILE}",
      "..%uEFC8{FILE}",
      "..%uEFC8..%uEFC8..%uEFC8etc%uEFC8passwd",
      "..%uF025..%uF025..%uF025windows%uF025win.ini",
      "/..%uefc8..%uefc8..%uefc8test-file.txt",
    ],
    // An icon font's glyph (Font Awesome puts them in the private-use area) is not a separator without a climb.
    benign: ["%uF025 icon", "\uf025 Headphones", "Music \uf025 / Audio", "price 1.0\uefc8"],
  },
  "an invalid overlong lead byte dropped before a separator": {
    attacks: ["..%c0%5c{FILE}", "%c0%2e%c0%2e%c0%5c{FILE}", "..%c0%5c..%c0%5cboot.ini", "..%c0%5c..%c0%5c{FILE}"],
    benign: ["see ..%c0 this", "I love %c0 café", "100%c0ffee", "%c0%5c"],
  },
  "`..` and the same unusual separator three times": {
    attacks: ["..*..*..*", "..;..;..;etc", "..|..|..|etc|passwd", "/..%..%..%etc", "..!..!..!x", "x=..#..#..#"],
    benign: [
      "wait.. what.. ok",
      "1..2..3",
      "...",
      "1.0..2.0",
      "a..b",
      "v1.0...v2.0",
      "a...b...c...d",
      "Really..?..?..?",
      "so..?",
      "..*..",
      "..*..;..|",
      "range 1..5, 7..9, 10..12",
    ],
  },
  "a single relative link stays allowed": {
    attacks: ["../../etc/passwd"],
    benign: ["../index.html", "../images/logo.png"],
  },
});

describe("traversal: exotic separators are read by the traversal detector, not canonicalize", () => {
  it("leaves private-use characters in the canonical value", () => {
    // Every detector reads the canonical value; folding an icon glyph to `/` there would change all of them.
    assert.equal(canonicalize("..%uEFC8"), "..\uefc8");
    assert.equal(canonicalize("..%uF025"), "..\uf025");
  });

  it("stays fast on long runs of repeated climbs", () => {
    for (const value of ["..*".repeat(100_000), `${"..%c0".repeat(50_000)}\\`, "..\uefc8".repeat(100_000)]) {
      const ms = fastestRun(
        () => traversalDetector.detect({ location: "query.q", kind: "query", raw: value, canonical: value, name: "q" }),
        200,
      );
      assert.ok(ms < 200, `slow on ${value.slice(0, 12)}…: ${ms.toFixed(0)} ms`);
    }
  });
});
