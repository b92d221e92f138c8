import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mayOpenWithCommand } from "../src/detectors/cmdi/command-line.js";
import { COMMON_COMMANDS, DISTINCT_COMMANDS, LOOKUP_COMMANDS, WRAPPERS } from "../src/detectors/cmdi/commands.js";

const OPENING_WORDS = [...DISTINCT_COMMANDS, ...COMMON_COMMANDS, ...WRAPPERS, ...LOOKUP_COMMANDS];

describe("cmdi pre-filter (mayOpenWithCommand)", () => {
  it("lets through every known command, in any case, alone, with arguments and as .exe", () => {
    const missed: string[] = [];
    for (const word of OPENING_WORDS)
      for (const value of [word, `${word.toUpperCase()} -x`, ` ${word}.exe /c`, `+${word}`])
        if (!mayOpenWithCommand(value)) missed.push(value);
    assert.deepEqual(missed, []);
  });

  it("lets through paths and quotes, which are judged the slow way", () => {
    for (const value of ["/bin/sh", "./run", "c:\\windows", "usr/bin/id", "'x", '"x']) assert.ok(mayOpenWithCommand(value), value);
  });

  it("turns away prose whose first word is no command", () => {
    for (const value of ["Item number 12", "Fits true to size", "dark blue", "Ann", "", "   ", "x".repeat(200)])
      assert.equal(mayOpenWithCommand(value), false, value);
  });
});
