import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

function blocks(value: string): void {
  it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(cmdiDetector, value) >= BLOCKS, value));
}

function passes(value: string): void {
  it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(cmdiDetector, value) < BLOCKS, value));
}

describe("command injection: English that spells a command", () => {
  describe("a contraction's apostrophe is not a quote splitting a word", () => {
    // `I'd` read as the shell would is `id`; but a lone apostrophe at the start of a sentence runs nothing.
    for (const value of ["I'd like to order two", "I'd love that", "I'd say yes", "I'd like my dog's toy back", "i'd"]) passes(value);
    // Where a command can start, the same spelling is the split it looks like (`';i'd` closes the app's quote).
    for (const value of ["';i'd", ";i'd'", "x|i'd", "w'h'o'am'i", "c'a't /etc/passwd"]) blocks(value);
  });

  describe("a timing probe is the number alone, not a sentence", () => {
    for (const value of ["sleep 5 hours a night", "sleep 8 hours", "Sleep 7 or 8 hours", "timeout 30 minutes later"]) passes(value);
    for (const value of ["sleep 5", "sleep 5s", "sleep 10;", "timeout 30", ";sleep 5", "& sleep 5 #"]) blocks(value);
  });

  describe("a spaced `&` before an everyday word is 'and'", () => {
    for (const value of ["Tom & Jerry & more", "Sales & more", "Pick & sort", "Search & find", "Day & time"]) passes(value);
    // Still a command: a shell-only word, an argument that is a path or a flag, a doubled or unspaced operator.
    for (const value of ["x & id", "x & more /etc/passwd", "x && more", "x&more", "| more", "x & sort -r /etc/shadow"]) blocks(value);
  });
});
