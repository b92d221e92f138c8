import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BodyContent, parapet, silentLogger } from "@parapet/core";
import fc from "fast-check";
import { collectCandidates, type ShieldReason, shield } from "../src/index.js";
import { addJson } from "../src/inspect/json.js";
import { addJsonPrefix } from "../src/inspect/json-prefix.js";
import { CandidateSink } from "../src/inspect/limits.js";
import { resolveShieldOptions } from "../src/options.js";
import { fastestRunAsync } from "./time-bound.js";

// Smaller than the defaults (1 MiB, 10,000 values), so the cuts below fall inside bodies of a few dozen KB.
const limits = resolveShieldOptions({ mode: "LIVE", inspect: { maxBytes: 64 * 1024, maxValues: 1_000 } }).limits;
const request = { query: "", path: "/orders", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];

/** A JSON array of order lines, `count` long: with 40,000 lines, about 5 MB. */
function orderLines(count: number, first?: Record<string, string>): Uint8Array {
  const lines = Array.from({ length: count }, (_, i) => ({ id: i, name: `Item number ${i}`, email: `user${i}@example.com` }));
  return new TextEncoder().encode(JSON.stringify(first ? [first, ...lines] : lines));
}

describe("a JSON body larger than the inspection limit", () => {
  it("is read value by value up to the cut, not as one 64 KB string", () => {
    const body: BodyContent = { bytes: orderLines(40_000), truncated: false, contentType: "application/json" };
    const inspection = collectCandidates(request, body, limits);
    assert.equal(inspection.truncated, true);
    assert.ok(inspection.candidates.length > 100 && inspection.candidates.length <= limits.maxValues);
    const longest = Math.max(...inspection.candidates.map((c) => c.raw.length));
    assert.ok(longest < 100, `longest value inspected: ${longest} characters`);
    assert.ok(inspection.candidates.some((c) => c.location === "body.3.email" && c.raw === "user3@example.com"));
  });

  it("is answered quickly, on what was read", async () => {
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    try {
      const send = (bytes: Uint8Array) =>
        client.protect({
          method: "POST",
          url: "/orders",
          headers: { host: "h", "content-type": "application/json" },
          body: bytes,
          ip: "192.0.2.1",
        });
      const attackFirst = orderLines(40_000, { coupon: "1' OR '1'='1" });
      await send(attackFirst);
      let decision = await send(attackFirst);
      const elapsed = await fastestRunAsync(async () => {
        decision = await send(attackFirst);
      }, 250);
      assert.equal(decision.conclusion, "DENY");
      const reason = decision.reason as ShieldReason;
      assert.equal(reason.location, "body.0.coupon");
      assert.equal(reason.truncated, true);
      // Generous for a shared machine: the point is that the cost does not grow with the 5 MB.
      assert.ok(elapsed < 250, `took ${elapsed.toFixed(1)} ms`);
    } finally {
      await client.close();
    }
  });

  it("still falls back to text when the cut start is not JSON", () => {
    const text = `{"a": 1 OR 1=1, "pad": "${"x".repeat(70_000)}"}`;
    const body: BodyContent = { bytes: new TextEncoder().encode(text), truncated: false, contentType: "application/json" };
    const inspection = collectCandidates(request, body, limits);
    assert.equal(inspection.candidates[0]?.location, "body");
    assert.ok(inspection.candidates[0]?.raw.startsWith('{"a": 1 OR 1=1'));
  });

  it("keeps the escapes and the partial last string of a cut body", () => {
    const text = `{"note":"say \\"hi\\"","list":["a","b"],"tail":"${"y".repeat(70_000)}`;
    const body: BodyContent = { bytes: new TextEncoder().encode(text), truncated: false, contentType: "application/json" };
    const values = collectCandidates(request, body, limits)
      .candidates.filter((c) => c.kind !== "path")
      .map((c) => `${c.kind} ${c.location} ${c.raw.slice(0, 12)}`);
    assert.deepEqual(values, [
      "body-key body.note note",
      'body body.note say "hi"',
      "body-key body.list list",
      "body body.list.0 a",
      "body body.list.1 b",
      "body-key body.tail tail",
      "body body.tail yyyyyyyyyyyy",
    ]);
  });

  it("reads a whole document as JSON.parse and the walk would", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const read = (fill: (sink: CandidateSink) => void) => {
          const sink = new CandidateSink(limits);
          fill(sink);
          // Which of two equal values keeps its location depends on the order of reading: compare what was read.
          return sink.candidates.map((c) => `${c.kind} ${c.raw}`).sort();
        };
        const prefix = read((sink) => addJsonPrefix(text, sink));
        const parsed = read((sink) => addJson(JSON.parse(text), "body", sink, true));
        assert.deepEqual(prefix, parsed, text);
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses a prefix that is not JSON", () => {
    for (const text of ['{"a": 1 OR 1=1', '{"a" "b"}', "[1,,2", '{"a":tru_', "hello", '{"a":1}}']) {
      const sink = new CandidateSink(limits);
      assert.equal(addJsonPrefix(text, sink), false, text);
      assert.equal(sink.candidates.length, 0);
    }
  });
});
