import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Decision } from "@parapet/core";
import { charClassesOf } from "../src/detectors/char-classes.js";
import { admitsPlainXss } from "../src/detectors/xss/plain-shapes.js";
import type { ShieldReason } from "../src/index.js";
import { shieldDecisionOn } from "./helpers.js";

// XSS payloads spelled with letters, digits and `. + -` only: the scan takes them for plain text, so they reach
// the XSS detector through its gate. Checked end to end, because the gate lives in the scan.
const decide = shieldDecisionOn;

function xssIn(decision: Decision): boolean {
  return decision.conclusion === "DENY" && (decision.reason as ShieldReason).findings.some((f) => f.class === "xss");
}

const query = (value: string) => decide({ url: `/search?q=${encodeURIComponent(value)}` });

describe("XSS written as plain text", () => {
  for (const attack of [
    "+ADw-script+AD4-",
    "+ADw-script+AD4-alert+ACg-1+ACk-+ADw-/script+AD4-",
    "+ADw-img src+AD0-x onerror+AD0-alert+ACg-1+ACk-+AD4-",
    "document.cookie",
    "window.location",
    "top.location",
    " parent.document.domain ",
    "self.location.href",
    "Document.Cookie",
  ])
    it(`flags ${attack}`, async () => assert.ok(xssIn(await query(attack)), attack));

  it("flags a UTF-7 tag encoded once more, as filters that decode twice see it", async () => {
    assert.ok(xssIn(await decide({ url: "/get?id=%252bADw-script%252bAD4-" })));
  });

  it("flags a DOM read sent as a form field's name", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded", host: "localhost" };
    assert.ok(xssIn(await decide({ method: "POST", url: "/post", headers: form, body: "document.cookie=1" })));
  });

  for (const prose of [
    "C++ADvanced",
    "C+ADw course",
    "+ADD-on pack",
    "see document.pdf",
    "document.docx",
    "window.open docs",
    "the window.location property explained",
    "top.secret-project",
    "self.employed",
    "document.cookie policy",
    "parent.company",
  ])
    it(`lets ${prose} through`, async () => assert.ok(!xssIn(await query(prose)), prose));
});

describe("the plain-text XSS gate", () => {
  const admits = (value: string) => admitsPlainXss(value, charClassesOf(value));

  it("turns away words, prose, and text that only mentions a global", () => {
    for (const value of ["hello world", "ann@example.com", "2024-01-01", "C++ADvanced", "+ADx-", "see document.pdf"])
      assert.equal(admits(value), false, value);
  });

  it("admits the UTF-7 markup characters and global property reads", () => {
    for (const value of ["+ADw-", "x+AD4-", "+ACI-", "+ACc-", "window.location", "document.pdf"]) assert.equal(admits(value), true, value);
  });
});
