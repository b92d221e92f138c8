import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Decision, NormalizedRequest, Rule } from "@parapet/core";
import { CaptureRing } from "../src/capture.js";
import { DecisionBatch, type StoredDecisionRow } from "../src/decision-batch.js";
import { decodeResults, MAX_RESULTS_TEXT } from "../src/results-codec.js";
import { BoundedMap } from "../src/sketch/bounded-map.js";
import { denyAttackPaths, parapet, request } from "./helpers.js";

test("waiting batches of a few decisions each (a quiet pump) hold memory by their rows, not by full-size buffers", {
  timeout: 30_000,
}, async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const ring = new CaptureRing(10_000, 500);
  const guard = parapet({ rules: [], observers: [{ onDecision: (d, r) => void ring.push(d, r) }] });
  const fingerprints = new BoundedMap<string, string>(100);
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const waiting: DecisionBatch[] = [];
  for (let i = 0; i < 2_000; i++) {
    await guard.protect(request(`192.0.2.${i % 250}`, `/p/${i}`));
    waiting.push(DecisionBatch.receive(ring.drainColumns(), fingerprints, () => {}));
  }
  // Buffers are freed after the collection that finds them unreachable: give it a turn to finish.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const perBatch = (process.memoryUsage().arrayBuffers - before) / waiting.length;
  // A capture batch's buffer is sized for 500 decisions (37.5 KB): kept whole, 2,000 of them would be 75 MB.
  // (The ring itself keeps the buffers of the batches its latest 64 decisions went to, about 1 KB a batch here.)
  assert.ok(perBatch < 10_000, `each one-decision batch holds ${Math.round(perBatch)} bytes of buffers`);
  const stored: StoredDecisionRow[] = [];
  for (const batch of waiting) batch.forEachStored((row) => stored.push({ ...row }));
  assert.deepEqual(
    stored.slice(0, 3).map((row) => [row.ip, row.path]),
    [
      ["192.0.2.0", "/p/0"],
      ["192.0.2.1", "/p/1"],
      ["192.0.2.2", "/p/2"],
    ],
    "the copies read back the same rows",
  );
  assert.equal(stored.length, 2_000);
});

test("a rule result JSON cannot write keeps its row, with what every result has; the other rows are untouched", async () => {
  const cyclic: { type: string; message: string; self?: unknown } = { type: "CUSTOM", message: "loops" };
  cyclic.self = cyclic;
  const loops: Rule = { type: "CUSTOM_RULE", mode: "LIVE", cost: 1, evaluate: () => ({ conclusion: "DENY", reason: cyclic }) };
  const ring = new CaptureRing(10);
  const observers = [{ onDecision: (d: Decision, r: NormalizedRequest) => void ring.push(d, r) }];
  const denied = await parapet({ rules: [loops], observers }).protect(request("192.0.2.9", "/a"));
  await parapet({ rules: [denyAttackPaths], observers }).protect(request("192.0.2.10", "/attack"));
  const stored: StoredDecisionRow[] = [];
  DecisionBatch.receive(ring.drainColumns(), new BoundedMap(10), () => {}).forEachStored((row) => stored.push({ ...row }));
  assert.deepEqual(
    stored.map((row) => [row.ip, row.denied, row.ruleId, row.attackClass]),
    [
      ["192.0.2.9", true, "CUSTOM_RULE", null],
      ["192.0.2.10", true, "SHIELD", "sqli"],
    ],
  );
  assert.deepEqual(decodeResults(stored[0]!.results), [
    {
      ruleId: "CUSTOM_RULE",
      ruleType: "CUSTOM_RULE",
      mode: "LIVE",
      conclusion: "DENY",
      reason: { type: "CUSTOM", message: "loops" },
      durationMs: denied.results[0]!.durationMs,
    },
  ]);
  assert.equal(decodeResults(stored[1]!.results)[0]?.reason.type, "SHIELD", "the whole JSON for a result that has one");
});

test("a result that quotes the request is stored bounded, and read back as results all the same", async () => {
  const huge = Buffer.alloc(100_000, "q").toString("latin1");
  const quoting: Rule = {
    type: "CUSTOM_RULE",
    mode: "LIVE",
    cost: 1,
    evaluate: () => ({
      conclusion: "DENY",
      reason: { type: "CUSTOM", message: `blocked ${huge}`, items: Array.from({ length: 1_000 }, (_, i) => `item ${i}`) },
    }),
  };
  // Not to be cut item by item: thousands of keys. The row keeps what every result has.
  const wide: Rule = {
    type: "WIDE_RULE",
    mode: "LIVE",
    cost: 1,
    evaluate: () => ({
      conclusion: "DENY",
      reason: { type: "WIDE", message: "many fields", ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])) },
    }),
  };
  const ring = new CaptureRing(10);
  const observers = [{ onDecision: (d: Decision, r: NormalizedRequest) => void ring.push(d, r) }];
  await parapet({ rules: [quoting], observers }).protect(request("192.0.2.11", "/q"));
  await parapet({ rules: [wide], observers }).protect(request("192.0.2.12", "/w"));
  const stored: StoredDecisionRow[] = [];
  DecisionBatch.receive(ring.drainColumns(), new BoundedMap(10), () => {}).forEachStored((row) => stored.push({ ...row }));
  for (const row of stored) assert.ok(row.results.length <= MAX_RESULTS_TEXT, `${row.ip}: ${row.results.length} characters stored`);

  const [quoted] = decodeResults(stored[0]!.results);
  const reason = quoted?.reason as unknown as { type: string; message: string; items: string[] };
  assert.equal(quoted?.ruleId, "CUSTOM_RULE");
  assert.equal(reason.type, "CUSTOM");
  assert.ok(reason.message.startsWith("blocked qqq") && reason.message.endsWith("…"), "a long string keeps its start");
  assert.equal(reason.items.length, 51);
  assert.deepEqual(reason.items.slice(48), ["item 48", "item 49", "… 950 more"]);

  const [kept] = decodeResults(stored[1]!.results);
  assert.equal(kept?.ruleId, "WIDE_RULE");
  assert.deepEqual(kept?.reason, { type: "WIDE", message: "many fields" });
});
