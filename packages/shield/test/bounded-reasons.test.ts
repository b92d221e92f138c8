import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parapet, silentLogger } from "@parapet/core";
import { sessionFixationDetector } from "../src/detectors/session-fixation/index.js";
import type { Candidate } from "../src/detectors/types.js";
import { collectCandidates, type ShieldReason, shield } from "../src/index.js";
import { MAX_LOCATION_SEGMENT, MAX_REPORTED_FINDINGS, MAX_REPORTED_LOCATION } from "../src/reported.js";
import { DEFAULT_LIMITS, shieldDecisionOn } from "./helpers.js";

// A denial is logged, cloned to the log worker, stored and quoted by apps: what it says must not grow with the
// request. These requests are an attacker's, shaped to make it grow.

/** `n` characters of `fill`, as one flat string of its own (as a body or a parsed key is). */
const flat = (n: number, fill: string): string => Buffer.alloc(n, fill).toString("latin1");

const json = (value: unknown) => ({
  method: "POST",
  url: "/api/items",
  headers: { host: "localhost", "content-type": "application/json" },
  body: JSON.stringify(value),
});

/** `count` script tags, one per key, under one object. */
const scripts = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, `<script>alert(${i})</script>`]));

describe("what a shield denial reports is bounded", () => {
  it("300 script tags under a 30 KB key: 20 findings, short locations, a few KB of reason (it was 9 MB)", async () => {
    const decision = await shieldDecisionOn(json({ [flat(30_000, "k")]: scripts(300) }));
    assert.equal(decision.conclusion, "DENY");
    const reason = decision.reason as ShieldReason;
    assert.equal(reason.findings.length, MAX_REPORTED_FINDINGS);
    assert.equal(reason.moreFindings, 300 - MAX_REPORTED_FINDINGS);
    for (const finding of reason.findings) {
      assert.equal(finding.class, "xss");
      assert.ok(finding.location.length <= MAX_REPORTED_LOCATION, finding.location);
      assert.match(finding.location, /^body\.k{63}…\.f\d+$/);
    }
    assert.equal(reason.location, reason.findings[0]?.location);
    assert.ok(reason.message.length < 200, reason.message);
    const size = JSON.stringify(decision.results).length;
    assert.ok(size < 16_000, `the results serialize to ${size} characters`);
  });

  it("lists every finding, and moreFindings 0, when there are few", async () => {
    const decision = await shieldDecisionOn(json({ a: "<script>alert(1)</script>", b: "../../../../etc/passwd" }));
    const reason = decision.reason as ShieldReason;
    assert.deepEqual([...new Set(reason.findings.map((f) => f.location))].sort(), ["body.a", "body.b"]);
    assert.equal(reason.moreFindings, 0);
  });

  it("keeps the strongest findings when it has to leave some out", async () => {
    // Weak findings first in the body, one strong one last: the strong one is still reported, first.
    const weak = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`w${i}`, "1 OR 1=1"]));
    const decision = await shieldDecisionOn(json({ ...weak, last: ["$", "{jndi:ldap://203.0.113.9/a}"].join("") }));
    const reason = decision.reason as ShieldReason;
    assert.equal(reason.findings[0]?.location, "body.last");
    assert.equal(reason.class, "jndi");
    for (let i = 1; i < reason.findings.length; i++) assert.ok((reason.findings[i - 1]?.score ?? 0) >= (reason.findings[i]?.score ?? 0));
  });

  it("deep nesting of long keys: the location keeps its place and its end, within the bound", async () => {
    let value: unknown = { target: "<script>alert(1)</script>" };
    for (let depth = 0; depth < 12; depth++) value = { [flat(200, String.fromCharCode(97 + depth))]: value };
    const reason = (await shieldDecisionOn(json(value))).reason as ShieldReason;
    assert.ok(reason.location.length <= MAX_REPORTED_LOCATION, `${reason.location.length} characters`);
    assert.ok(reason.location.startsWith("body.…"), reason.location);
    assert.ok(reason.location.endsWith(".target"), reason.location);
  });

  it("long query and cookie names are cut in the report too", async () => {
    const name = flat(5_000, "q");
    const decision = await shieldDecisionOn({ method: "GET", url: `/?${name}=%3Cscript%3Ealert(1)%3C%2Fscript%3E` });
    const reason = decision.reason as ShieldReason;
    assert.equal(reason.location, `query.${"q".repeat(MAX_LOCATION_SEGMENT - 1)}…`);
  });

  it("an exclusion naming a long key in full still covers it, wherever the key sits", async () => {
    const key = flat(100, "x");
    const exclude = [`body.${key}`, `body.wrap.${key}`, `query.${key}`];
    const attack = "<script>alert(1)</script>";
    for (const request of [
      json({ [key]: attack }),
      json({ wrap: { [key]: attack } }),
      { method: "GET", url: `/?${key}=${encodeURIComponent(attack)}` },
    ]) {
      assert.equal((await shieldDecisionOn(request)).conclusion, "DENY", "denied without the exclusion");
      assert.equal((await shieldDecisionOn(request, { exclude })).conclusion, "ALLOW", `excluded: ${request.url}`);
    }
    // A key the exclusions do not name is still denied.
    assert.equal((await shieldDecisionOn(json({ other: attack }), { exclude })).conclusion, "DENY");
  });

  it("keeps nothing of the request alive: 300 kept denials of 200 KB bodies hold a few MB, not the bodies", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    const kept: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 300; i++) {
      // The excerpt each detector quotes is cut from the value; as a view it kept the whole value alive.
      for (const attack of ["..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"]) {
        const body = `q=${attack}+${flat(200_000, String.fromCharCode(97 + (i % 26)))}`;
        const decision = await client.protect({
          method: "POST",
          url: "/form",
          ip: "192.0.2.1",
          headers: { host: "localhost", "content-type": "application/x-www-form-urlencoded" },
          body,
        });
        assert.equal(decision.conclusion, "DENY");
        kept.push(decision.results);
      }
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(kept.length, 600, "the decisions are still held");
    assert.ok(grown < 30_000_000, `600 kept decisions hold ${(grown / 1e6).toFixed(1)} MB; views of the bodies held 70 MB`);
    await client.close();
  });

  it("the JSON walkers name a long key by its cut form, so a value's location stays short whatever the keys above it", () => {
    // Detectors read a location for some values (a URL's include global, a Prisma filter's path): spelled out in full,
    // each of 300 values under a 30 KB key was 30 KB to copy, and an attacker chooses how many such values there are.
    const text = JSON.stringify({ [flat(30_000, "k")]: { a: "http://203.0.113.9/x.txt", b: [flat(20_000, "n")] } });
    const request = { query: "", path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];
    for (const cut of [false, true]) {
      // A cut body is read by the walker of a JSON prefix, a whole one after parsing: both must name keys alike.
      const bytes = new TextEncoder().encode(cut ? text.slice(0, -2) : text);
      const body = { bytes, truncated: cut, contentType: "application/json" };
      const locations = collectCandidates(request, body, DEFAULT_LIMITS).candidates.map((c) => c.location);
      assert.ok(locations.includes(`body.${"k".repeat(MAX_LOCATION_SEGMENT - 1)}….a`), `${cut ? "cut" : "whole"}: ${locations}`);
      for (const location of locations) assert.ok(location.length <= 3 * (MAX_LOCATION_SEGMENT + 1), `${location.length} characters`);
    }
  });

  it("the session-fixation check does not spell out a JSON key's location unless the name is a session cookie's", () => {
    let reads = 0;
    const keyCandidate = (canonical: string, kind: Candidate["kind"]): Candidate => ({
      kind,
      raw: canonical,
      canonical,
      name: undefined,
      get location() {
        reads++;
        return `body.${canonical}`;
      },
    });
    for (let i = 0; i < 100; i++) assert.equal(sessionFixationDetector.detect(keyCandidate(`field${i}`, "body-key")), undefined);
    assert.equal(reads, 0, "a location spelled out per key repeats every key above it: 300 keys under a 30 KB key copied 9 MB");
    assert.ok(sessionFixationDetector.detect(keyCandidate("PHPSESSID", "body-key")), "a session cookie name is still found");
  });
});
