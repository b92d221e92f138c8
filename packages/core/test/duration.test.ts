import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCodes, ParapetError, parseDuration } from "../src/index.js";

describe("parseDuration", () => {
  for (const [input, ms] of [
    [1500, 1500],
    ["500ms", 500],
    ["60s", 60_000],
    ["1m", 60_000],
    ["1h30m", 5_400_000],
    ["1d", 86_400_000],
    [" 2S ", 2_000],
    ["1.5s", 1_500],
  ] as const) {
    it(`reads ${JSON.stringify(input)} as ${ms} ms`, () => assert.equal(parseDuration(input), ms));
  }

  for (const input of ["", "60", "s", "1 m", "-1s", "1x", "1s2", "0s", 0, -5, Number.NaN, Number.POSITIVE_INFINITY, null, {}, "1.s"]) {
    it(`rejects ${typeof input === "number" ? String(input) : JSON.stringify(input)} with a message showing the expected form`, () => {
      assert.throws(
        () => parseDuration(input as never, "window"),
        (error: unknown) =>
          error instanceof ParapetError && error.code === ErrorCodes.INVALID_DURATION && /window must be .*"60s"/.test(error.message),
      );
    });
  }

  it("parses a long adversarial string quickly (linear-time pattern)", () => {
    const started = Date.now();
    assert.throws(() => parseDuration(`${"1".repeat(100_000)}x`));
    assert.throws(() => parseDuration("1s".repeat(50_000) + "!"));
    assert.ok(Date.now() - started < 5_000, "does not hang");
  });
});
