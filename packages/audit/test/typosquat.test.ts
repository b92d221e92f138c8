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

test("historic npm typosquats are caught (recall set)", () => {
  // Names of real typosquats removed from npm (2017 crossenv wave, later discord/electron squats), written here, not fetched.
  const historic: Array<[string, string]> = [
    ["crossenv", "cross-env"],
    ["babelcli", "babel-cli"],
    ["mongose", "mongoose"],
    ["loadash", "lodash"],
    ["electorn", "electron"],
    ["discord.jss", "discord.js"],
    ["reqeust", "request"],
    ["jquerry", "jquery"],
  ];
  const missed = historic.filter(([name, target]) => index.match(name)?.target !== target);
  assert.deepEqual(missed, []);
});

test("names of similar popularity are not typosquats of each other", () => {
  // safer-buffer is one letter from safe-buffer and is itself ranked: popular in its own right.
  assert.ok(npmHighImpact.includes("safer-buffer"));
  assert.equal(index.match("safer-buffer", npmHighImpact.indexOf("safer-buffer"))?.target, undefined);
});

test("false alarms: ranked names judged as if new, against names 10x more popular, stay at or under 0.5%", () => {
  // Each ranked name is a legitimate package; judging it as a suspect shows how often a
  // legitimate name near a much more popular one would be flagged.
  let flagged = 0;
  npmHighImpact.forEach((name, rank) => {
    if (index.match(name, rank)) flagged++;
  });
  assert.ok(npmHighImpact.length > 10_000);
  const rate = flagged / npmHighImpact.length;
  assert.ok(flagged > 0, "the measurement must be able to see false alarms at all");
  assert.ok(rate <= 0.005, `${flagged} of ${npmHighImpact.length} flagged (${(rate * 100).toFixed(2)}%)`);
});

test("names far past npm's 214-character limit are judged in linear time, and still by their shape", () => {
  // A pull request's lockfile may name anything: 200 names of 5,000 characters took 15 s (every deletion of each
  // name built and looked up); one edit changes a length by one at most, so none of those can be an edit of a
  // published name.
  const long = Array.from({ length: 200 }, (_, i) => `react${"x".repeat(5_000)}${i}`);
  const started = performance.now();
  for (const name of long) assert.equal(index.match(name), undefined);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2_000, `200 long names judged in ${elapsed.toFixed(0)} ms`);
  // Shape checks are linear and still apply: separators alone do not make a long name a new one.
  const spaced = `e${"-".repeat(300)}xpress`;
  assert.deepEqual([index.match(spaced)?.target, index.match(spaced)?.kind], ["express", "separator"]);
  // At npm's limit the edit search still runs.
  assert.equal(index.match("expresss")?.kind, "repeated");
});
