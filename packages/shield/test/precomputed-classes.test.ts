// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../src/canonicalize.js";
import { charClassesOf } from "../src/detectors/char-classes.js";
import { DETECTORS } from "../src/detectors/index.js";
import type { Candidate, InputKind } from "../src/detectors/types.js";

const KINDS: readonly InputKind[] = ["query", "body", "header", "path", "body-key"];

/** Words and characters that reach every branch of the masks the detectors now test instead of regexes. */
const PIECES = [
  ..."abcxyzAZ0189 \t\n\r\u00a0\u3000;|&`$(){}<>'\"\\[]*?%:#@!=,.-_+/~^",
  "netsh",
  "firewall",
  "reg",
  "add",
  "hklm",
  "if",
  "exist",
  "for",
  "/f",
  "alias",
  "a=curl",
  "powershell",
  "-enc",
  " -e",
  "sh,-c,id",
  "cmd",
  "/c",
  "whoami",
  "cat",
  "/etc/passwd",
  "c'at",
  "O'Brien",
  "java.lang.Runtime",
  "rO0ABXNy",
  "child_process",
  "process.env",
  "require",
  "constructor.constructor",
  "eval(",
  "XyQkTkRfRlVOQyQk",
  "http://127.0.0.1/",
  "url",
  "${7*7}",
  "{{",
];

function candidate(raw: string, kind: InputKind, withClasses: boolean): Candidate {
  const canonical = canonicalize(raw);
  const base = { location: `${kind}.url`, kind, raw, canonical, name: "url" };
  return withClasses ? { ...base, classes: charClassesOf(canonical) } : base;
}

describe("classes computed once by the plumbing", () => {
  it("give every detector the same verdict as classes it computes itself", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }), fc.constantFrom(...KINDS), (pieces, kind) => {
        const raw = pieces.join("");
        for (const detector of DETECTORS) {
          const own = detector.detect(candidate(raw, kind, false));
          const shared = detector.detect(candidate(raw, kind, true));
          assert.deepEqual(shared, own, `${detector.class} on ${JSON.stringify(raw)} (${kind})`);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
