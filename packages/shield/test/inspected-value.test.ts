import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charClassesOf } from "../src/detectors/char-classes.js";
import { addJson } from "../src/inspect/json.js";
import { CandidateSink } from "../src/inspect/limits.js";
import { resolveShieldOptions } from "../src/options.js";

const limits = resolveShieldOptions({ mode: "LIVE" }).limits;

function walk(value: unknown): CandidateSink {
  const sink = new CandidateSink(limits);
  addJson(value, "body", sink, true);
  return sink;
}

describe("a candidate's location, spelled out when read", () => {
  it("is the same text however many times and in whatever order it is read", () => {
    const body = JSON.parse('{"orders":[{"lines":[{"sku":"a"},{"sku":"b"}]},{"lines":[{"sku":"c"}]}]}');
    const first = walk(body).candidates.map((c) => c.location);
    const again = walk(body).candidates.reverse();
    assert.deepEqual(again.map((c) => c.location).reverse(), first);
    assert.ok(first.includes("body.orders.1.lines.0.sku"), first.join(" "));
  });

  it("is part of the candidate as JSON", () => {
    const [key, leaf] = walk(JSON.parse('{"q":"1 OR 1=1"}')).candidates;
    assert.deepEqual(JSON.parse(JSON.stringify(leaf)), {
      location: "body.q",
      kind: "body",
      raw: "1 OR 1=1",
      canonical: "1 OR 1=1",
      name: "q",
      classes: charClassesOf("1 OR 1=1"),
    });
    assert.equal(JSON.parse(JSON.stringify(key)).location, "body.q");
  });
});
