import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("command injection: a value that opens with a shell operator and a command", () => {
  for (const attack of ['|echo "vuln"', "& echo vuln &", ";ps aux", "'; echo hi", '" | head -n 5 x']) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(cmdiDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of ["Tom; cat lovers welcome", "salt & pepper; echo of the past", "fish | chips", "R&D; find more"]) {
    it(`lets ${benign} through: the operator punctuates a sentence`, () => assert.ok(scoreOf(cmdiDetector, benign) < BLOCKS, benign));
  }

  it("stays careful in headers, where a client writes free text", () => {
    assert.ok(scoreOf(cmdiDetector, "Mozilla/5.0 (X11; Linux) | echo", "header", "user-agent") < BLOCKS);
  });
});
