import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/**
 * `QUSER` is an IBM i account as well as a Windows command: one word in a
 * field that names a person or an account is that name, since a command alone
 * runs only where the whole value is the command line.
 */
describe("cmdi: one word in an identifier field", () => {
  for (const [name, value] of [
    ["username", "quser"],
    ["login", "QUSER"],
    ["accountName", "netsh"],
    ["email", "whoami"],
    ["user_id", "klist"],
  ] as const) {
    it(`lets ${name}=${value} through`, () => assert.ok(scoreOf(cmdiDetector, value, "body", name) < BLOCKS));
  }

  for (const [name, value] of [
    ["q", "quser"],
    ["commandName", "whoami"],
    ["username", "x;whoami"],
    ["username", "whoami /all"],
    ["login", "`id`"],
  ] as const) {
    it(`blocks ${name}=${value}`, () => assert.ok(scoreOf(cmdiDetector, value, "body", name) >= BLOCKS));
  }
});
