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

  it("inspects a repeated value once, and counts only distinct values toward maxValues", () => {
    // Three distinct values: key a, "same", key b ("same" again is neither inspected nor counted); key c is one too many.
    const limits = { ...defaults, maxValues: 3 };
    const { rows, truncated } = walk({ a: "same", b: "same", c: "other" }, limits);
    assert.deepEqual(rows, ["body-key body.a - a", "body body.a a same", "body-key body.b - b"]);
    assert.equal(truncated, true);
    assert.equal(walk({ a: "same", b: "same" }, limits).truncated, false);
    // A repeat still counts its characters toward maxBytes: 12 characters with it, 8 without.
    assert.equal(walk({ a: "same", b: "same", c: "x" }, { ...defaults, maxBytes: 12 }).truncated, false);
    assert.equal(walk({ a: "same", b: "same", c: "x" }, { ...defaults, maxBytes: 11 }).truncated, true);
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

  it("counts the values an array of records repeats without inspecting them twice", () => {
    const records = JSON.parse('[{"id":"a1","status":"paid","tags":["new","sale"]},{"id":"a2","status":"paid","tags":["new","sale"]}]');
    const { rows } = walk(records);
    assert.deepEqual(rows, [
      "body-key body.0.id - id",
      "body body.0.id id a1",
      "body-key body.0.status - status",
      "body body.0.status status paid",
      "body-key body.0.tags - tags",
      "body body.0.tags.0 tags new",
      "body body.0.tags.1 tags sale",
      "body body.1.id id a2",
    ]);
    // 14 keys and strings in all, 6 of them repeats: only the 8 distinct ones count toward maxValues (counted, a
    // body of repeated records used the limit up before the record that mattered). A limit reached stops the walk.
    assert.equal(walk(records, { ...defaults, maxValues: 9 }).truncated, false);
    assert.equal(walk(records, { ...defaults, maxValues: 8 }).truncated, true);
  });

  it("still inspects a value that differs from the previous record's", () => {
    const { rows } = walk(JSON.parse('[{"q":"x"},{"q":"1 OR 1=1"},{"q":"x"}]'));
    assert.deepEqual(rows, ["body-key body.0.q - q", "body body.0.q q x", "body body.1.q q 1 OR 1=1"]);
  });

  it("reads only own keys when something made a prototype property enumerable", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = "<script>alert(1)</script>";
    try {
      const { rows } = walk(JSON.parse('{"a":"x","__proto__":{"isAdmin":true}}'));
      assert.deepEqual(rows, [
        "body-key body.a - a",
        "body body.a a x",
        "body-key body.__proto__ - __proto__",
        "body-key body.__proto__.isAdmin - isAdmin",
      ]);
    } finally {
      delete proto.polluted;
    }
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
