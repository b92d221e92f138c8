import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { xssDetector } from "../src/detectors/xss/index.js";
import { BLOCKS, candidate, scoreOf } from "./helpers.js";

/** The detector's score as the shield computes it: on the canonical form, with the raw value at hand. */
function score(raw: string): number {
  return scoreOf(xssDetector, raw, "body", "comment");
}

/** Evasions that hide the usual markers: each group is one general rule in ./src/detectors/xss. */
const ATTACKS: Record<string, readonly string[]> = {
  "element names spelled out in spaced letters": ["<s c r i p t", "<o b j e c t>", "<e m b e d>", "<s/t/y/l/e>"],
  "tags with an empty namespace prefix (VML)": ['<:vmlframe src="//evil.example/x.vml">', "<v:vmlframe src=//evil.example/>"],
  "data: URLs whose body is markup": ["data:,<xyz>hi", " data: ; charset=utf-8 , <custom-el>", "data:text/plain,<zz>"],
  "script schemes split by tabs and newlines": ["vb\nscript:", "java\tscript:", "ja&Tab;vascript:", "java&NewLine;script: "],
  "a handler opening the value (unquoted attribute)": [" onpointerenter=", "/onfocus=", "\tonanimationstart= ", "  onwhatever="],
  "markup in high-bit brackets (US-ASCII 7-bit decoding)": [
    "\u00bcimg src=x onerror=alert(1)\u00be",
    "\\xbcsvg onload=alert(1)\\xbe",
    "\u00bcxyz\u00bepayload\u00bc/xyz\u00be",
  ],
  "DTD declarations without their brackets": [
    'x!ENTITY % remote SYSTEM "http://evil.example/x.dtd"',
    "!ENTITY ext PUBLIC",
    "onerror CDATA #FIXED",
    "title CDATA #REQUIRED",
  ],
  "JS conversion hooks": ["'-valueOf=alert", '"in toString=eval'],
  "navigation and storage": [
    "top.location='//evil.example'",
    "opener.location.replace('//evil.example')",
    "parent.location.href=name",
    "localStorage.getItem('jwt')",
    "sessionStorage['token']",
  ],
  "the Function constructor": ["Function('ale'+'rt(1)')()", "Function(name)()", "Function`x`"],
  "exfiltration helpers": ["btoa(x)"],
  "CSS imports": ["@import url(https://evil.example/a.css);", "@import 'https://evil.example/a.css';"],
  "an injected handler's tail": ['confirm(0)">', "print(); '>", "write(2) autofocus>", "open(1) open/>"],
  "a value that closes an HTML comment": ["-->", " --!> ", '"--><p>'],
};

const BENIGN = [
  "Please confirm (yes/no)",
  "prompt (engineering) tips",
  "eval (final round) results",
  "the top.location of the map",
  "localStorage is a browser API",
  "function (x) maps inputs",
  "Function (mathematics)",
  "a --> b --> c",
  "step 1 --> step 2",
  "--> next",
  " online",
  "status onboarding=done",
  "\u00bc cup sugar, \u00be cup flour",
  "Mix \u00bccup sugar and \u00becup flour",
  "\u00bd tsp salt",
  "Data: 3 rows, <none>",
  "@import is a Sass directive",
  "f(x) > g(x)",
  "Wow! Entity Framework system",
  "Bring photo ID #required",
  "java script: a typo",
  "vbscript is old",
  "PHP is great",
  "PHOTOGRAPHY",
];

describe("xssDetector on evasions", () => {
  for (const [technique, payloads] of Object.entries(ATTACKS)) {
    it(`blocks ${technique}`, () => {
      for (const payload of payloads) assert.ok(score(payload) >= BLOCKS, `${JSON.stringify(payload)}: ${score(payload)}`);
    });
  }

  it("lets the prose that resembles those evasions through", () => {
    for (const value of BENIGN) assert.ok(score(value) < BLOCKS, `false positive on ${JSON.stringify(value)}: ${score(value)}`);
  });

  it("decodes base64 runs that start like markup, and blocks only the ones that run script", () => {
    for (const markup of ["<img src=x onerror=alert(1)>", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>']) {
      assert.ok(score(btoa(markup)) >= BLOCKS, markup);
      assert.ok(score(`${btoa(markup)}"/>`) >= BLOCKS, `${markup} with a tail`);
    }
    for (const markup of ["<b>hello</b>", "<p>a paragraph of text</p>", "<!-- a comment -->"])
      assert.ok(score(btoa(markup)) < BLOCKS, markup);
  });

  it("scores a sink name followed by prose in parentheses lower than a call", () => {
    assert.ok(score("confirm (your order)") < score("confirm (1)"));
    assert.ok(score("alert('x') (said the guard)") >= BLOCKS);
  });

  it("checks each attribute value of an XML body, where a bare DOM access is the whole payload", () => {
    assert.ok(score('<?xml version="1.0"?><order><item note="document.cookie"/></order>') >= BLOCKS);
    assert.ok(score('<?xml version="1.0"?><order><item note="see document 4.2"/></order>') < BLOCKS);
  });

  it("reads the high-bit brackets from the raw value, which canonicalization folds", () => {
    const raw = "\u00bcscript\u00bealert(1)\u00bc/script\u00be";
    assert.notEqual(candidate(raw).canonical, raw);
    assert.ok(score(raw) >= BLOCKS);
  });

  // A generous "does not hang" bound, not a speed test: a quadratic scan of 100 KB would take minutes.
  it("finishes 100 KB of the new rules' trigger characters quickly", () => {
    for (const unit of [
      "PH",
      "PHN2",
      "\u00bc",
      "\u00bca",
      "!ENTITY a ",
      "ID #",
      "' in ",
      "f(",
      "f() ",
      "data:,",
      "--",
      "@import ",
      "\tjava",
    ]) {
      const value = unit.repeat(Math.ceil(100_000 / unit.length));
      const started = performance.now();
      xssDetector.detect(candidate(value, "body"));
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 2000, `${JSON.stringify(unit)} x ${value.length} took ${elapsed.toFixed(0)} ms`);
    }
  });
});
