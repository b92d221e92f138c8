import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/** Tomcat strips `;params` from a segment before resolving it: `/..;/` climbs past a proxy that blocks `/../`. */
describe("traversal: a climb through a path parameter", () => {
  for (const value of ["/app/..;/manager/html", "..;/admin", "..;jsessionid=1/console", "..;.\\.;\\."]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(traversalDetector, value) >= BLOCKS, value));
  }

  for (const value of ["wait..;)", "a;b..;c", "/docs/..;v2", "well..; maybe/later"]) {
    it(`lets ${value} through`, () => assert.ok(scoreOf(traversalDetector, value) < BLOCKS, value));
  }

  it("stays linear on many parameter climbs without a separator", () => {
    const started = performance.now();
    scoreOf(traversalDetector, "..;".repeat(40_000));
    assert.ok(performance.now() - started < 2_000);
  });
});
