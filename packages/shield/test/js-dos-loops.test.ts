import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import { infiniteLoopSignal } from "../src/detectors/code-injection/js-loops.js";
import { BLOCKS, describeRules, scoreOf } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

const score = (value: string) => scoreOf(codeInjectionDetector, value);

describeRules("JavaScript denial of service: a loop that never ends (CRS 934160)", score, {
  // The condition is evaluated, not matched: every spelling of a constant that JavaScript takes for true.
  "a constant-truthy condition and nothing to do": {
    attacks: [
      "while(true);",
      "while (true) {}",
      "while(1)",
      "while(!false)",
      "while(!0);",
      "while(!-0);",
      'while(!"");',
      "while(!'');",
      "while(!``);",
      "while(Infinity);",
      "while(+Infinity);",
      "while(-1);",
      "while(new Date);",
      "while(new Date());",
      "while(this);",
      "while(!!{});",
      "while(!![]);",
      "while(!null)",
      "while(!undefined)",
      "while(!NaN)",
      "while(!(!1));",
      "while((true)))",
      "while('x');",
      "for(;;);",
      "for (;;) {}",
      "for(;true;);",
      "do{}while(true)",
      "x';while(true);//",
      '<a probe="while(!false)"></a>',
    ],
    // Prose, loops with a body (which may break), loops on a variable, and loops after an English word.
    benign: [
      "while (true) love lasts",
      "do it while (true) to yourself",
      "for (;;) is an infinite loop",
      "I wrote while(true); by mistake",
      "while (true) { if (done) break; }",
      "while(1) {",
      "while (loading) spinner();",
      "while (i < 10);",
      "for (let i = 0; i < 10; i++);",
      "for(;i<n;);",
      "while(truth);",
      "Meanwhile (truly) fine",
    ],
  },
  // Sent encoded to reach `eval(atob(x))`, and encoded twice over with escapes inside.
  "the same loop as base64 text": {
    attacks: [btoa("while(true);\n"), btoa("while(true);\n").replace(/=+$/, ""), btoa("\\u0077\\u0068ile(true);\n"), btoa("for(;;){}")],
    benign: [
      btoa("while you were out, we called"),
      btoa("for (a few) days"),
      "SGVsbG8gd29ybGQsIHRoaXMgaXMgYSB0ZXN0",
      "dGhlIHByb2Nlc3MuZW52IGZpbGU=",
    ],
  },
});

describe("JavaScript denial of service: a loop that never runs", () => {
  // `while(!!"")` is false: no denial of service, but a statement sent to probe an eval sink all the same.
  it("scores a constant-falsy loop lower than an endless one, still blocked", () => {
    for (const value of ['while(!!"");', "while(!!'')", "while(false);", "while(0);", "for(;0;);"]) {
      const falsy = score(value);
      assert.ok(falsy >= BLOCKS && falsy < score("while(true);"), `${value}: ${falsy}`);
    }
  });

  it("finds nothing in a condition it cannot evaluate", () => {
    for (const value of [
      "while(f());",
      "while(a.b);",
      "while(!x);",
      "while(1+1);",
      "while(new);",
      "while(!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!true);",
    ]) {
      assert.equal(infiniteLoopSignal(value), undefined, value);
    }
  });

  it("reads a long run of loop heads in linear time", () => {
    const value = "while(".repeat(20_000) + "(".repeat(20_000);
    const ms = fastestRun(() => infiniteLoopSignal(value), 500);
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });
});
