import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xssDetector } from "../src/detectors/xss/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("xss: sinks named by a computed property of a global", () => {
  for (const value of [
    "self[/con/.source+/firm/.source](7)",
    "parent[ /ev/i.source + /al/.source ]('1')",
    "window[x](1)",
    "top[4960870..toString(36)](2)",
    "this['ale'+'rt'](3)",
  ]) {
    it(`blocks ${value}`, () => assert.ok(scoreOf(xssDetector, value) >= BLOCKS, value));
  }

  // BBCode puts brackets right after words like "this" and "top": a tag, not a property.
  for (const value of ["I like this[b]bold[/b] text", "click this[/url] now", "[i]top[/i] picks", "see this[0]", "the top[1] result"]) {
    it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(xssDetector, value) < BLOCKS, value));
  }

  it("stays linear on many unclosed brackets", () => {
    const started = performance.now();
    for (const run of ["this[a", "top[/a", "window[/"]) scoreOf(xssDetector, `'${run.repeat(20_000)}`);
    assert.ok(performance.now() - started < 2_000);
  });
});
