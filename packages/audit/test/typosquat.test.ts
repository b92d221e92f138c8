import assert from "node:assert/strict";
import { test } from "node:test";
import { npmHighImpact } from "npm-high-impact";
import { defaultTyposquatIndex } from "../src/checks/typosquat.js";

const index = defaultTyposquatIndex();

test("classic squats are matched to their target", () => {
  const cases: Array<[string, string, string]> = [
    ["ex-press", "express", "separator"],
    ["expresss", "express", "repeated"],
    ["loadsh", "lodash", "swapped"],
    ["epxress", "express", "swapped"],
    ["types-node", "@types/node", "scope-confusion"],
    ["@typess/node", "@types/node", "scope-confusion"],
    ["d0tenv", "dotenv", "homoglyph"],
    ["express2", "express", "version-suffix"],
  ];
  for (const [name, target, kind] of cases) {
    const match = index.match(name);
    assert.deepEqual([match?.target, match?.kind], [target, kind], name);
  }
});

test("unrelated names are not matched", () => {
  for (const name of ["parapet-internal-tooling", "my-company-logger", "zzqx"]) assert.equal(index.match(name), undefined, name);
});

test("false alarms on the ranked names checked against more popular ones stay under 0.5%", () => {
  // Each ranked name is judged as if it were new, against every name ranked above it.
  let flagged = 0;
  npmHighImpact.forEach((name, rank) => {
    if (index.match(name, rank)) flagged++;
  });
  const rate = flagged / npmHighImpact.length;
  assert.ok(npmHighImpact.length > 10_000);
  assert.ok(rate <= 0.005, `${flagged} of ${npmHighImpact.length} flagged (${(rate * 100).toFixed(2)}%)`);
});
