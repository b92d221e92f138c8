import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { addJson } from "../src/inspect/json.js";
import { CandidateSink, type InspectLimits } from "../src/inspect/limits.js";
import { resolveShieldOptions } from "../src/options.js";

// The walk takes shortcuts (repeats counted by position, a container's first nested container read without the
// stack, a container's place spelled out only when one of its values needs it). Whatever they skip, it must read
// what a plain recursive walk reads: the same values, in the same order, at the same places, with the same limits.

const defaults = resolveShieldOptions({ mode: "LIVE" }).limits;

function rows(sink: CandidateSink): string[] {
  return sink.candidates.map((c) => `${c.kind} ${c.location} ${c.name ?? "-"} ${c.classes} ${c.raw}`);
}

/** `ownParse`: read as our own JSON.parse output (`for…in`), or as a framework's body (through property descriptors). */
function walked(value: unknown, limits: InspectLimits, ownParse = true): { rows: string[]; truncated: boolean } {
  const sink = new CandidateSink(limits);
  addJson(value, "body", sink, ownParse);
  return { rows: rows(sink), truncated: sink.truncated };
}

/**
 * The reference: each container's keys and strings in order, then its nested containers in order, each value given
 * to the sink's plain `add` (which drops repeats and keeps the limits), deeper than the depth limit not at all.
 * Recursive, so only for the small values generated here.
 */
function reference(value: unknown, limits: InspectLimits): { rows: string[]; truncated: boolean } {
  const sink = new CandidateSink(limits);
  const visit = (container: unknown, location: string, name: string | undefined, depth: number): void => {
    if (container === null || typeof container !== "object") return;
    if (depth >= limits.maxDepth) {
      sink.truncated = true;
      return;
    }
    // An array is read up to `maxValues` elements, strings or not: more could not all be inspected.
    if (Array.isArray(container) && container.length > limits.maxValues) sink.truncated = true;
    const entries: [string, unknown, string | undefined][] = Array.isArray(container)
      ? container.slice(0, limits.maxValues).map((child, i) => [String(i), child, name])
      : Object.keys(container).map((key) => [key, (container as Record<string, unknown>)[key], key]);
    for (const [segment, child, childName] of entries) {
      if (!Array.isArray(container)) sink.add(`${location}.${segment}`, "body-key", segment);
      if (typeof child === "string") sink.add(`${location}.${segment}`, "body", child, childName);
    }
    for (const [segment, child, childName] of entries) visit(child, `${location}.${segment}`, childName, depth + 1);
  };
  if (typeof value === "string") sink.add("body", "body", value);
  else visit(value, "body", undefined, 0);
  return { rows: rows(sink), truncated: sink.truncated };
}

/** JSON with records that repeat keys and values, as arrays of them do, besides fast-check's arbitrary JSON. */
const record = fc.record({
  id: fc.oneof(fc.integer(), fc.constantFrom("a1", "a2", "a1")),
  status: fc.constantFrom("paid", "paid", "open", "<b>"),
  tags: fc.oneof(fc.constant(["new", "sale"]), fc.array(fc.constantFrom("new", "sale", "x"), { maxLength: 3 })),
  nested: fc.option(fc.record({ q: fc.constantFrom("x", "1 OR 1=1"), more: fc.constant([{ a: "b" }, ["c"]]) }), { nil: undefined }),
});
const bodies = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.array(record, { maxLength: 12 }).map((records) => JSON.parse(JSON.stringify({ order: { items: records } }))),
);

describe("JSON walk order", () => {
  it("reads what a plain recursive walk reads, within the default limits", () => {
    fc.assert(
      fc.property(bodies, fc.boolean(), (body, ownParse) => {
        const expected = reference(body, defaults);
        assert.ok(!expected.truncated);
        assert.deepEqual(walked(body, defaults, ownParse), expected);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it("reads what a plain recursive walk reads, up to a depth limit or a value count", () => {
    const limits = fc.record({ maxDepth: fc.integer({ min: 1, max: 5 }), maxValues: fc.integer({ min: 1, max: 40 }) });
    fc.assert(
      fc.property(bodies, limits, (body, { maxDepth, maxValues }) => {
        const bounded = { ...defaults, maxDepth, maxValues };
        const expected = reference(body, bounded);
        const actual = walked(body, bounded);
        assert.deepEqual(actual.rows, expected.rows);
        // The walk also says "partly inspected" when it stops with containers left that hold no value.
        if (expected.truncated) assert.equal(actual.truncated, true);
      }),
      { numRuns: 2000, seed: 12 },
    );
  });
});
