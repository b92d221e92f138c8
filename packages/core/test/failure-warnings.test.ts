import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Logger, parapet } from "../src/index.js";
import { manualClock, plainRequest, throwingRule } from "./helpers.js";

const alwaysThrows = throwingRule("store unreachable", "FLAKY");

describe("rule failure warnings", () => {
  it("warns once per interval with a count of what it held back, not once per request", async () => {
    const warnings: Array<Record<string, unknown> | undefined> = [];
    const logger: Logger = { debug() {}, error() {}, warn: (_message, fields) => void warnings.push(fields) };
    const clock = manualClock();
    const client = parapet({ rules: [alwaysThrows], clock, logger });

    for (let i = 0; i < 100; i++) {
      const decision = await client.protect(plainRequest());
      assert.equal(decision.conclusion, "ERROR");
    }
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.reason), /store unreachable/);

    clock.advance(10_000);
    await client.protect(plainRequest());
    assert.equal(warnings.length, 2);
    assert.equal(warnings[1]?.suppressedSinceLastWarning, 99);
  });
});
