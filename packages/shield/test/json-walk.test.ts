import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addJson } from "../src/inspect/json.js";
import { CandidateSink, type InspectLimits } from "../src/inspect/limits.js";
import { resolveShieldOptions } from "../src/options.js";

const defaults = resolveShieldOptions({ mode: "LIVE" }).limits;

function walk(value: unknown, limits: InspectLimits = defaults, ownParse = true): { rows: string[]; truncated: boolean } {
  const sink = new CandidateSink(limits);
  addJson(value, "body", sink, ownParse);
  return { rows: sink.candidates.map((c) => `${c.kind} ${c.location} ${c.name ?? "-"} ${c.raw}`), truncated: sink.truncated };
}

describe("JSON walk", () => {
  it("reports every key and string leaf with its location and parameter name, each object's own strings first", () => {
    const { rows } = walk(JSON.parse('{"a":{"b":["x",{"c":"y"},3,true,null]},"k":"v"}'));
    assert.deepEqual(rows, [
      "body-key body.a - a",
      "body-key body.k - k",
      "body body.k k v",
      "body-key body.a.b - b",
      "body body.a.b.0 b x",
      "body-key body.a.b.1.c - c",
      "body body.a.b.1.c c y",
    ]);
  });

  it("inspects a repeated value once but counts it toward the limits", () => {
    // Four values: key a, "same", key b, "same" again (not inspected, still counted); key c is one too many.
    const limits = { ...defaults, maxValues: 4 };
    const { rows, truncated } = walk({ a: "same", b: "same", c: "other" }, limits);
    assert.deepEqual(rows, ["body-key body.a - a", "body body.a a same", "body-key body.b - b"]);
    assert.equal(truncated, true);
    assert.equal(walk({ a: "same", b: "same" }, limits).truncated, false);
  });

  it("reads a bare string body at the root", () => {
    assert.deepEqual(walk("hello").rows, ["body body - hello"]);
  });

  it("stops at the depth limit and says so", () => {
    const limits = { ...defaults, maxDepth: 2 };
    const { rows, truncated } = walk(JSON.parse('{"a":{"b":"kept","c":{"d":"too deep"}}}'), limits);
    assert.deepEqual(rows, ["body-key body.a - a", "body-key body.a.b - b", "body body.a.b b kept", "body-key body.a.c - c"]);
    assert.equal(truncated, true);
  });

  it("walks a million-deep array without overflowing the stack", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    const { rows, truncated } = walk(deep);
    assert.deepEqual(rows, []);
    assert.equal(truncated, true);
  });

  it("never runs a getter on a framework's parsed body", () => {
    let ran = false;
    const body = {
      plain: "x",
      get trap() {
        ran = true;
        return "y";
      },
    };
    const { rows } = walk(body, defaults, false);
    assert.equal(ran, false);
    assert.deepEqual(rows, ["body-key body.plain - plain", "body body.plain plain x", "body-key body.trap - trap"]);
  });
});
