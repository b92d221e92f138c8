import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import type { Candidate } from "../src/detectors/types.js";

/** The shield's medium sensitivity threshold: what a default deployment blocks. */
const BLOCKS = 0.7;

function scoreOf(value: string): number {
  const candidate: Candidate = { location: "query.q", kind: "query", raw: value, canonical: value, name: "q" };
  return sqliDetector.detect(candidate)?.score ?? 0;
}

/** Each rule: attacks it must block, and near-miss benign values it must let through. */
const RULES: Record<string, { readonly attacks: readonly string[]; readonly benign: readonly string[] }> = {
  "alias then FROM after a closing parenthesis": {
    attacks: [") as cc FROM", ")      AS schlagwoerter      FROM users", ") AS val FROM"],
    benign: ["(see above) as shown", "as noted from the start", ") and the rest (from here)", "Paid (in full) as agreed"],
  },
  "single column query": {
    attacks: [
      "SELECT/*avoid-spaces*/password/**/FROM/**/Members",
      "SELECT id FROM users WHERE id=1",
      "select password from members where name = 'admin'",
    ],
    benign: ["select one from the list", "Select size from the menu where possible", "please select any from below"],
  },
  "whole-value constant true comparison": {
    attacks: ["1=1", "11!=1", "42<=>42", "'a'='a'", "'b' like 'b'"],
    benign: ["1<2", "2+2=4", "x = 1", "1=2", "page=1", "it's 5 o'clock"],
  },
  "SQL Server procedures": {
    attacks: ["xp_cmdshell", "xp_dirtree", "sp_executesql"],
    benign: ["xp_points", "sp_total", "Windows XP support", "sp ace"],
  },
};

describe("sqli grammar rules", () => {
  for (const [rule, { attacks, benign }] of Object.entries(RULES)) {
    describe(rule, () => {
      for (const value of attacks) {
        it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) >= BLOCKS, `score ${scoreOf(value)}`));
      }
      for (const value of benign) {
        it(`allows ${JSON.stringify(value)}`, () => assert.ok(scoreOf(value) < BLOCKS, `score ${scoreOf(value)}`));
      }
    });
  }
});
