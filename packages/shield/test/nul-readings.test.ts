import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalize, canonicalizeKeepingNul } from "../src/canonicalize.js";
import { REGISTRY } from "../src/detectors/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { BLOCKS, bodyValues, scoreOf, shieldDecisionOn } from "./helpers.js";

/** The command-injection detector as the shield registers it. */
const cmdiDetector = REGISTRY.find((entry) => entry.detector.class === "cmdi")?.detector ?? assert.fail("no cmdi detector");

/** The attack class a LIVE shield blocks `value` as, sent as query parameter `q` (undefined: allowed). */
async function blockedAs(value: string): Promise<string | undefined> {
  const decision = await shieldDecisionOn({ method: "GET", url: `http://localhost/?q=${encodeURIComponent(value)}` });
  if (decision.conclusion !== "DENY") return undefined;
  return (decision.reason as { findings?: readonly { class: string }[] }).findings?.[0]?.class;
}

describe("a NUL is read as each target reads it", () => {
  it("canonicalization removes it (what a shell and an extension check read) and keeps a form with it", () => {
    assert.equal(canonicalize("passwd%00.png"), "passwd.png");
    assert.equal(canonicalizeKeepingNul("passwd%00.png"), "passwd\0.png");
    assert.equal(canonicalizeKeepingNul("a%2500b"), "a\0b");
    assert.equal(canonicalizeKeepingNul("plain words"), "plain words");
  });

  it("the plumbing keeps the NUL form only for values that had a NUL", () => {
    const form = "a=1%2500UNION%2500SELECT%25001&b=plain&c=50%25+off";
    assert.deepEqual(bodyValues(form, "application/x-www-form-urlencoded", "canonical"), {
      "body.a": "1UNIONSELECT1",
      "body.b": "plain",
      "body.c": "50% off",
    });
  });

  // `1UNIONSELECT1` once the NULs are gone is letters and digits: the scan took it for an inert word.
  for (const value of ["1\0UNION\0SELECT\x001", "1%00UNION%00SELECT%00null", "-1\0union\0select\0user"]) {
    it(`blocks ${JSON.stringify(value)} as SQL: Oracle reads a NUL as a blank`, async () => {
      assert.equal(await blockedAs(value), "sqli");
    });
  }

  for (const value of ["1;\0", "-7 ;\0 AND owner=5", "admin'\0", "x'\0garbage"]) {
    it(`blocks ${JSON.stringify(value)} as SQL: a C-string driver ends the query at a NUL`, () => {
      assert.ok(scoreOf(sqliDetector, value) >= BLOCKS, value);
    });
  }

  for (const value of ["x;whoami\0.txt", "|id\0abc", "a&&uname -a\0.png"]) {
    it(`blocks ${JSON.stringify(value)} as a command: system() ends the command at a NUL`, async () => {
      assert.ok(scoreOf(cmdiDetector, value) >= BLOCKS, value);
      assert.equal(await blockedAs(value), "cmdi");
    });
  }

  for (const value of ["O'Brien\0", "report\0.pdf", "a\0b", "1\x00000", "Option 1;\0", ";\0", "50%00off"]) {
    it(`lets ${JSON.stringify(value)} through`, async () => {
      assert.ok(scoreOf(sqliDetector, value) < BLOCKS, value);
      assert.ok(scoreOf(cmdiDetector, value) < BLOCKS, value);
      assert.equal(await blockedAs(value), undefined);
    });
  }
});
