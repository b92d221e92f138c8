// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { charClassesOf } from "../src/detectors/char-classes.js";
import {
  base64CodeSignal,
  base64Forms,
  ENCODED_FORMS,
  holdsSerializedBase64,
  mayHoldBase64Code,
  SERIALIZED_FORMS,
} from "../src/detectors/code-injection/base64-code.js";
import { javaSignal } from "../src/detectors/code-injection/java.js";
import { phpSignal } from "../src/detectors/code-injection/php.js";
import { wrapperSignal } from "../src/detectors/code-injection/wrappers.js";

// The code-injection detector asks cheap questions before its regexes: one alternation of every base64 form
// before the two that tell exploit code from a serialized object, and the character classes before the PHP and
// stream-wrapper patterns. Each screen may only turn away values the patterns behind it would not match.

/** Values made of pieces of the forms (cut anywhere), base64 letters and other characters, in any order. */
function base64Like(): fc.Arbitrary<string> {
  const forms = [...ENCODED_FORMS, ...SERIALIZED_FORMS];
  const piece = fc.oneof(
    fc.constantFrom(...forms),
    fc
      .tuple(fc.constantFrom(...forms), fc.nat(), fc.nat())
      .map(([form, a, b]) => form.slice(Math.min(a, b) % form.length, Math.max(a, b) % (form.length + 1))),
    fc.string({ unit: fc.constantFrom(..."ABCKOQYZacjmrstyz0157+/= .") }),
    fc.string({ maxLength: 6 }),
  );
  return fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(""));
}

describe("the base64 screen", () => {
  it("says yes exactly when exploit code or a serialized object is found", () => {
    fc.assert(
      fc.property(base64Like(), (value) => {
        const found = base64CodeSignal(value) !== undefined || holdsSerializedBase64(value);
        assert.equal(mayHoldBase64Code(value), found, value);
      }),
      { numRuns: 20_000, seed: 5 },
    );
  });

  it("spares the Java check the base64 headers only where there is none", () => {
    const javaLike = fc
      .array(fc.oneof(base64Like(), fc.constantFrom("aced0005", "ACED0005", "x", "/", " ", "java.lang.Runtime", "@java.lang.Runtime@x")), {
        maxLength: 4,
      })
      .map((pieces) => pieces.join(""));
    fc.assert(
      fc.property(javaLike, (value) => {
        assert.deepEqual(javaSignal(value, mayHoldBase64Code(value)), javaSignal(value), value);
      }),
      { numRuns: 20_000, seed: 8 },
    );
  });

  it("lets through the encoded words at every byte offset, and the serialized header", () => {
    for (const word of ["child_process", "require(", "mainModule"])
      for (const before of ["", "a", "ab"]) {
        const encoded = btoa(`${before}${word}x`);
        assert.ok(mayHoldBase64Code(encoded), encoded);
        assert.ok(base64Forms(word).some((form) => encoded.includes(form)));
      }
    assert.ok(mayHoldBase64Code("rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA"));
    assert.equal(mayHoldBase64Code("Item number 12"), false);
  });
});

const PHP_PIECES = [
  "<?php ",
  "<? ",
  "<?=",
  "echo",
  "system",
  "system(",
  "eval (",
  "(system)(",
  '"system"(',
  "$_GET",
  "$GLOBALS",
  "$f(",
  "${'a'}(",
  "$o->m(",
  'O:8:"stdClass":1:{',
  'C:3:"Foo":0:{',
  "{php}",
  "{/php}",
  "/*c*/",
  "#c\n",
  "php://input",
  "phar://",
  "expect://id",
  "zip://a.zip#b",
  "compress.zlib://",
  "data://text/plain;base64,PD9w",
  "data:,<?",
  "jar:http://x",
  "file:///etc/passwd",
  "local_file://",
  "url:file://",
];

/** PHP and stream-wrapper fragments, cut or whole, among letters, spaces and punctuation. */
function codeLike(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...PHP_PIECES),
    fc.tuple(fc.constantFrom(...PHP_PIECES), fc.nat()).map(([text, n]) => text.slice(n % (text.length + 1))),
    fc.string({ unit: fc.constantFrom(..."ab ()<>{}$:/?=\"'@#[]_\n") }),
    fc.string({ maxLength: 6 }),
  );
  return fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(""));
}

describe("the PHP and stream-wrapper screens", () => {
  it("turn away only values no PHP pattern matches", () => {
    fc.assert(
      fc.property(codeLike(), (value) => {
        // Without classes every pattern is tried: the screened call must agree with it.
        assert.deepEqual(phpSignal(value, charClassesOf(value)), phpSignal(value), value);
      }),
      { numRuns: 20_000, seed: 6 },
    );
  });

  it("turn away only values no stream-wrapper pattern matches", () => {
    fc.assert(
      fc.property(codeLike(), (value) => {
        assert.deepEqual(wrapperSignal(value, charClassesOf(value)), wrapperSignal(value), value);
      }),
      { numRuns: 20_000, seed: 7 },
    );
  });

  it("still let the payloads through", () => {
    for (const value of ["<?php system('id'); ?>", "${'a'}('id')", 'O:8:"stdClass":1:{s:1:"a";}', "{php}echo 1;{/php}"])
      assert.notEqual(phpSignal(value, charClassesOf(value)), undefined, value);
    for (const value of ["php://input", "file:///etc/passwd", "jar:http://x/a.zip!/b"])
      assert.notEqual(wrapperSignal(value, charClassesOf(value)), undefined, value);
    // No `<`, brace, `$` or parenthesis: the PHP patterns are not asked; no `:`: nor are the wrappers.
    assert.equal(phpSignal("ann@example.com", charClassesOf("ann@example.com")), undefined);
    assert.equal(wrapperSignal("ann@example.com", charClassesOf("ann@example.com")), undefined);
  });
});
