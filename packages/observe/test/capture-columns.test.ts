import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Decision, fixedWindow, type NormalizedRequest } from "@parapet/core";
import { CaptureRing } from "../src/capture.js";
import { type ArrivingDecision, DecisionBatch, type StoredDecisionRow } from "../src/decision-batch.js";
import { fingerprint } from "../src/index.js";
import { decodeResults } from "../src/results-codec.js";
import { BoundedMap } from "../src/sketch/bounded-map.js";
import { StatusRing } from "../src/status-ring.js";
import { type DecisionColumns, entriesOf, forEachStatus } from "../src/worker/columns.js";
import { StringPacker, StringReader } from "../src/worker/packed-strings.js";
import { denyAttackPaths, labelBot, parapet, request } from "./helpers.js";

/** A batch read the way the log side reads it: each row on arrival, then as stored (copied: the views are refilled). */
function readBatch(columns: DecisionColumns): { arriving: ArrivingDecision[]; stored: StoredDecisionRow[] } {
  const arriving: ArrivingDecision[] = [];
  const batch = DecisionBatch.receive(columns, new BoundedMap(100), (row) => arriving.push({ ...row }));
  const stored: StoredDecisionRow[] = [];
  batch.forEachStored((row) => stored.push({ ...row }));
  return { arriving, stored };
}

describe("packed strings", () => {
  it("gives back every value, empty, absent, non-ASCII and separator-looking ones included, in order", () => {
    const values = ["", "a", undefined, "naïve ☃ 𝄞", "\u0000\t|,", undefined, "x".repeat(10_000), ""];
    const packer = new StringPacker(values.length);
    for (const value of values) packer.add(value, 100_000);
    const packed = packer.finish();
    const reader = new StringReader(structuredClone(packed));
    assert.deepEqual(
      values.map(() => reader.next()),
      values,
    );
    assert.throws(() => reader.next(), /past the packed values/);
  });

  it("reads back exact values either way, lone surrogates included, whichever way the one before was read", () => {
    const values = ["\ufeffbom first", "lone \ud800 lead", undefined, "lone \udc00 trail", "pair \ud834\udd1e", "last"];
    const packer = new StringPacker(values.length);
    for (const value of values) packer.add(value, 100_000);
    const reader = new StringReader(structuredClone(packer.finish()));
    // Mixed on purpose: the two ways of reading share one position.
    assert.deepEqual(
      values.map((_, i) => (i % 2 === 0 ? reader.nextShared() : reader.next())),
      values,
    );
  });

  it("next() keeps no part of the batch alive: detectors hold its values long after the batch is gone", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const keep = (batches: number) => {
      const kept: (string | undefined)[] = [];
      for (let b = 0; b < batches; b++) {
        const packer = new StringPacker(2);
        packer.add(`203.0.113.${b}-and-some`, 100);
        packer.add("x".repeat(1_000_000), 1_000_000);
        kept.push(new StringReader(packer.finish()).next());
      }
      return kept;
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = keep(40);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(kept.length, 40);
    assert.ok(grown < 8_000_000, `40 short values kept ${grown} bytes alive; a slice would keep each 1 MB batch text`);
  });

  it("cuts a value at its limit and refuses more values than it was sized for", () => {
    const packer = new StringPacker(2);
    packer.add("abcdef", 3);
    packer.add(undefined, 3);
    assert.throws(() => packer.add("x", 3), /at most 2 values/);
    const reader = new StringReader(packer.finish());
    assert.equal(reader.next(), "abc");
    assert.equal(reader.next(), undefined);
  });

  it("a value cut at its limit keeps only what was kept alive while the batch waits, not the request's whole string", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // What a full ring holds during a database outage: values cut from long headers (flat strings of their own).
    const packers = Array.from({ length: 20 }, () => new StringPacker(500));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let p = 0; p < packers.length; p++) {
      for (let i = 0; i < 500; i++) packers[p]?.add(Buffer.alloc(16_000, `${p}-${i}|`).toString("latin1"), 512);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(new StringReader((packers[19] as StringPacker).finish()).next()?.length, 512);
    assert.ok(grown < 40_000_000, `10,000 values cut to 512 kept ${(grown / 1e6).toFixed(1)} MB alive; slices would keep 160 MB`);
  });
});

describe("capture ring columns", () => {
  it("build the id of protect()'s decisions on the log side, and keep the id any other decision brings", async () => {
    const ring = new CaptureRing(10);
    const guard = parapet({ rules: [], observers: [{ onDecision: (d: Decision, r: NormalizedRequest) => void ring.push(d, r) }] });
    const made = await guard.protect(request("10.0.0.1", "/a", {}));
    // A lookalike (own fields, its own id): not one protect() made, so it has no sequence number to format.
    const lookalike = {
      ...made,
      id: "made-elsewhere",
      isDenied: () => false,
      isAllowed: () => true,
      isErrored: () => false,
    } as unknown as Decision;
    let lookalikeRequest: NormalizedRequest | undefined;
    const keepRequest = (_d: Decision, r: NormalizedRequest) => {
      lookalikeRequest = r;
    };
    const other = parapet({ rules: [], observers: [{ onDecision: keepRequest }] });
    await other.protect(request("10.0.0.2", "/b", {}));
    ring.push(lookalike, lookalikeRequest as NormalizedRequest);
    const { stored } = readBatch(structuredClone(ring.drainColumns()));
    // `made.id` is read only now, after its row was built from the sequence number.
    assert.deepEqual(
      stored.map((row) => row.id),
      [made.id, "made-elsewhere"],
    );
  });

  it("carry every field of every decision, statuses attached by identity or id, across a structured clone", async () => {
    const ring = new CaptureRing(100);
    const observers = [{ onDecision: (d: Decision, r: NormalizedRequest) => void ring.push(d, r) }];
    // One client whose results have a compact form (a single allowing rate limit) and one whose do not.
    const guards = [
      parapet({ rules: [labelBot, denyAttackPaths], observers }),
      parapet({ rules: [fixedWindow({ max: 1_000, window: "1m" })], observers }),
    ];
    const decisions: Decision[] = [];
    for (let i = 0; i < 30; i++) {
      const extra = i % 3 === 0 ? { userId: `user-${i}`, apiKey: 1000 + i } : i % 3 === 1 ? { userId: i } : {};
      const headers = i % 5 === 0 ? { "x-test-bot": "crawler" } : { "user-agent": `agent ${i}`, "x-api-key": `key-${i}` };
      decisions.push(await guards[i % 2]!.protect(request(`10.0.0.${i}`, i % 7 === 0 ? "/attack" : `/p/${i}`, headers), extra));
    }
    assert.equal(ring.attachStatus(decisions[29]!, 201, 5), true);
    assert.equal(ring.attachStatus(decisions[20]!.id, 404, 6), true);
    assert.equal(ring.attachStatus(decisions[0]!, 200, 7), true, "within the look-back window");
    assert.equal(ring.attachStatus({ ...decisions[1]!, id: "not-captured" } as Decision, 200, 7), false, "never captured");
    const columns = structuredClone(ring.drainColumns());
    assert.equal(ring.size, 0);
    assert.equal(entriesOf(columns, undefined), 30, "a status that rode along is part of its decision's row, not an entry");
    const { arriving, stored } = readBatch(columns);
    assert.equal(arriving.length, 30);
    assert.equal(stored.length, 30);
    for (const [i, row] of stored.entries()) {
      const decision = decisions[i]!;
      assert.equal(row.id, decision.id);
      assert.equal(row.conclusion, decision.conclusion);
      assert.equal(row.denied, decision.isDenied());
      assert.equal(row.reasonType, decision.reason.type);
      assert.equal(row.ip, decision.ip);
      assert.equal(row.path, i % 7 === 0 ? "/attack" : `/p/${i}`);
      assert.equal(row.ts, decision.timestamp);
      assert.equal(row.durationMs, decision.durationMs);
      assert.equal(row.method, "GET");
      assert.equal(row.userAgent, i % 5 === 0 ? "test-agent" : `agent ${i}`);
      // Keys are stored as fingerprints; a number is fingerprinted (and a user id stored) as its text.
      const apiKey = i % 3 === 0 ? String(1000 + i) : i % 5 === 0 ? undefined : `key-${i}`;
      assert.equal(row.apiKey, apiKey === undefined ? null : fingerprint(apiKey));
      assert.equal(row.userId, i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? String(i) : null);
      if (i % 2 === 0) {
        assert.deepEqual(
          decodeResults(row.results),
          JSON.parse(JSON.stringify(decision.results)),
          "results without a compact form travel whole",
        );
        assert.equal(row.botClass, i % 5 === 0 ? "crawler" : "human");
        assert.equal(row.attackClass, i % 7 === 0 ? "sqli" : null);
        assert.equal(row.ruleId, i % 7 === 0 ? "SHIELD" : null);
      } else {
        assert.deepEqual(decodeResults(row.results)[0]?.key, decision.results[0]?.key);
        assert.deepEqual([row.botClass, row.attackClass, row.ruleId], [null, null, null]);
      }
      const arrived = arriving[i]!;
      assert.deepEqual(
        [arrived.index, arrived.ts, arrived.ip, arrived.path, arrived.apiKey, arrived.userId, arrived.botClass, arrived.attackClass],
        [i, row.ts, row.ip, row.path, row.apiKey, row.userId, row.botClass, row.attackClass],
      );
      assert.equal(arrived.id, arrived.status === 0 ? decision.id : "", "the id is read for the decisions still waiting for a status");
    }
    // Denials (the attack paths of the first client: 0, 14, 28) carry the status the adapters answer with, 403, unless
    // the app recorded its own (200 for decision 0).
    assert.deepEqual(
      [0, 14, 28].map((i) => decisions[i]!.isDenied()),
      [true, true, true],
    );
    assert.deepEqual(
      stored.filter((row) => row.status !== null).map((row) => [row.id, row.status]),
      [
        [decisions[0]!.id, 200],
        [decisions[14]!.id, 403],
        [decisions[20]!.id, 404],
        [decisions[28]!.id, 403],
        [decisions[29]!.id, 201],
      ],
    );
    assert.deepEqual(
      arriving.filter((row) => row.status !== 0).map((row) => [row.index, row.status, row.statusTs]),
      [
        [0, 200, 7],
        [14, 403, decisions[14]!.timestamp],
        [20, 404, 6],
        [28, 403, decisions[28]!.timestamp],
        [29, 201, 5],
      ],
    );
  });

  it("status ring columns survive a structured clone", () => {
    const ring = new StatusRing(4);
    ring.push("a1", 200, 1);
    ring.push("b22", 503, 2);
    const got: [string, number, number][] = [];
    forEachStatus(structuredClone(ring.drainColumns()), (id, status, ts) => got.push([id, status, ts]));
    assert.deepEqual(got, [
      ["a1", 200, 1],
      ["b22", 503, 2],
    ]);
  });

  it("bounds what is pending across batches, cuts long values, and sends late statuses alone", async () => {
    const ring = new CaptureRing(5, 2);
    const guard = parapet({ rules: [labelBot], observers: [{ onDecision: (d, r) => void ring.push(d, r) }] });
    const decisions: Decision[] = [];
    for (let i = 0; i < 7; i++) decisions.push(await guard.protect(request(`10.0.1.${i}`, `/${"p".repeat(5_000)}`)));
    assert.equal(ring.size, 5);
    assert.equal(ring.dropped, 2);
    const first = ring.drainColumns();
    assert.equal(first.count, 2);
    assert.equal(ring.attachStatus(decisions[0]!, 200, 1), false, "its batch has gone to the worker");
    assert.equal(ring.attachStatus(decisions[2]!, 200, 1), true);
    assert.deepEqual(
      readBatch(first).stored.map((row) => row.path.length),
      [1024, 1024],
    );
    assert.deepEqual([ring.drainColumns().count, ring.drainColumns().count, ring.drainColumns().count], [2, 1, 0]);
    assert.equal(ring.size, 0);
  });

  it("finds a status's decision only among the latest 64", async () => {
    const ring = new CaptureRing(1_000);
    const guard = parapet({ rules: [], observers: [{ onDecision: (d, r) => void ring.push(d, r) }] });
    const decisions: Decision[] = [];
    for (let i = 0; i < 65; i++) decisions.push(await guard.protect(request("10.0.2.1")));
    assert.equal(ring.attachStatus(decisions[0]!, 200, 1), false);
    assert.equal(ring.attachStatus(decisions[1]!, 200, 1), true);
  });
});
