import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/** PHP never writes a name or digit right before a `$`, and `#` opens a comment: `FR$LO(` is a keyboard walk. */
describe("php variable function calls", () => {
  for (const value of ["$f($_GET[1])", "@$x('id')", ";$a(1);", "$$g('ls')", "x=$h(2)"]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(codeInjectionDetector, value) >= BLOCKS, value));
  }

  for (const value of ["Ab$Cd(", "#$X(1)", "pa55$W0rd(", "ZX#$Vb(n)", "Tr$Ew()"]) {
    it(`lets ${value} through`, () => assert.ok(scoreOf(codeInjectionDetector, value, "body", "password") < BLOCKS, value));
  }
});
