import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMatchBuffer, createTokenAutomaton, parseToken } from "../src/token-automaton.js";

function found(tokens: string[], text: string): string[] {
  const specs = tokens.map(parseToken);
  return createTokenAutomaton(specs)
    .scan(text)
    .map((m) => `${tokens[m.token]}@${m.start}`);
}

describe("token automaton", () => {
  it("finds every token, including ones that overlap or nest", () => {
    assert.deepEqual(found(["bot", "googlebot", "google", "otb"], "googlebotb"), ["google@0", "googlebot@0", "bot@6", "otb@7"]);
  });

  it("follows failure links across partial matches", () => {
    assert.deepEqual(found(["abcd", "bce"], "abce"), ["bce@1"]);
  });

  it("honours ^ anchors and \\b word boundaries", () => {
    assert.deepEqual(found(["^curl/"], "curl/8.5.0"), ["^curl/@0"]);
    assert.deepEqual(found(["^curl/"], "php-curl/1"), []);
    assert.deepEqual(found(["bot\\b"], "cubot x1"), ["bot\\b@2"]);
    assert.deepEqual(found(["\\bbot\\b"], "cubot x1"), []);
    assert.deepEqual(found(["bot\\b"], "turbotab"), []);
    assert.deepEqual(found(["bot\\b"], "mybot_1"), ["bot\\b@2"]);
  });

  it("rejects an empty token", () => {
    assert.throws(() => parseToken("^"), /empty token/);
  });

  it("stays linear on adversarial input (does not hang)", () => {
    const tokens = Array.from({ length: 200 }, (_, i) => `${"a".repeat(i + 1)}b`);
    const automaton = createTokenAutomaton(tokens.map(parseToken));
    const started = performance.now();
    const matches = automaton.scan("a".repeat(200_000));
    assert.equal(matches.length, 0);
    // Generous bound: a backtracking matcher would take minutes here.
    assert.ok(performance.now() - started < 5_000);
  });

  it("scanInto reports the same matches as scan, growing its buffer and resetting it between scans", () => {
    const tokens = ["a", "aa", "\\bab", "b\\b"].map(parseToken);
    const automaton = createTokenAutomaton(tokens);
    const buffer = createMatchBuffer(1);
    for (const text of ["aaaa ab b", "xaab", "", "ab ab ab ab"]) {
      const count = automaton.scanInto(text, buffer);
      const viaBuffer = Array.from({ length: count }, (_, m) => ({ token: buffer.token[m], start: buffer.start[m], end: buffer.end[m] }));
      assert.deepEqual(viaBuffer, automaton.scan(text), text);
    }
    assert.ok(buffer.token.length > 1, "the buffer grew");
  });
});
