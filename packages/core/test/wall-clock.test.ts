import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AnchoredWallClock } from "../src/wall-clock.js";

describe("AnchoredWallClock: the system time read off the monotonic clock", () => {
  it("anchors to Date.now() and counts monotonic milliseconds from there, whole", () => {
    const clock = new AnchoredWallClock();
    const before = Date.now();
    const anchor = clock.at(10_000);
    assert.ok(anchor >= before && anchor <= Date.now(), "the first reading is Date.now()");
    assert.equal(clock.at(10_250.7), anchor + 250, "250.7 ms later, floored");
    assert.equal(clock.at(10_999.9), anchor + 999);
  });

  it("re-anchors after a second, and when the monotonic reading goes backwards", () => {
    const clock = new AnchoredWallClock();
    clock.at(0);
    // A reading a second or more later takes Date.now() again instead of adding to the old anchor.
    const before = Date.now();
    const later = clock.at(5_000_000);
    assert.ok(later >= before && later <= Date.now(), `re-anchored to the system clock, not 5,000 s after the anchor (${later})`);
    const back = clock.at(4_000_000);
    assert.ok(back >= before && back <= Date.now(), "a reading before the anchor re-anchors too");
  });

  it("with real readings is never ahead of Date.now() and at most 1 ms behind it", () => {
    const clock = new AnchoredWallClock();
    for (let i = 0; i < 20_000; i++) {
      const before = Date.now();
      const value = clock.at(performance.now());
      const after = Date.now();
      assert.ok(value <= after && value >= before - 1, `reading ${value} outside [${before - 1}, ${after}]`);
    }
  });
});
