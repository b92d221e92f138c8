import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import { SENSITIVITY_THRESHOLDS } from "../src/options.js";
import { BLOCKS, describeRules, scoreOf } from "./helpers.js";

const score = (value: string) => scoreOf(codeInjectionDetector, value);

describeRules("server-side JavaScript injection: the probes CRS 934100 lists", score, {
  // The probe sent to learn whether a value is evaluated: one call on a Node global, and nothing else.
  "a call on a Node global as the whole value": {
    attacks: [
      "console.info(1)",
      "console.log(7*7)",
      "console.info.call(this,1)",
      "process.exit(1)",
      "process.kill(process.pid)",
      "  console.log(1);  ",
    ],
    // Prose that names the call, the name without a call, and a call on anything that is not a Node global.
    benign: [
      "console.log",
      "console.",
      "process.",
      "Use console.log(x) to debug it",
      "console.log(x) prints nothing in my app",
      "how do I use process.exit(0)?",
      "Math.max(1,2)",
      "JSON.parse(text)",
      "user.name(1)",
      "process(1)",
      "gaming console (PS5)",
    ],
  },
  "a call on a Node global after a string breakout": {
    attacks: ["x';console.log(1)//", 'a"+process.exit()+"', "');console.info(document)//", "'||console.log(1)||'"],
    // A quote the value opened itself is closed by pasted code, not broken out of.
    benign: [
      "It's the 'console' (tm); call it later",
      "he said 'hi'; console log is empty",
      "console.log('hello world'); console.log('bye');",
      "'a','b');console.log(1)//",
    ],
  },
  // No person types `\u006f` for an `o`; a filter looking for `console` misses it.
  "identifiers spelled with JavaScript escapes": {
    attacks: ["c\\u006fnsole.info(1)", "c\\u{6f}nsole.info(1)", "\\u0070rocess.exit()", "use \\u0072equire('fs')"],
    benign: ["caf\\u00e9 (menu)", "price \\u20ac(5)"],
  },
  // Replacing a module's exports hijacks every later `require` of it.
  "module.exports assignment": {
    attacks: ["module.exports=", "module.exports = function(){}", "module.exports.run=function(){}"],
    benign: ["module.exports vs exports", "try module.exports = router", "if (module.exports == null)", "module exports = 3"],
  },
  // Serializers that revive functions: node-serialize and funcster.
  "function-reviving serializer markers": {
    attacks: ["__js_function", '{"__js_function":"function(){return 1}"}', "_$$ND_FUNC$$_function(){}"],
    benign: ["js_function", "my_js_functions", "function of js"],
  },
});

describeRules("server-side JavaScript injection: prose that mentions code", score, {
  // A word before the code, on the same line, is a syntax error in JavaScript: such text cannot run.
  "a short message that names a module or a variable": {
    attacks: [
      "require('child_process').exec('id')",
      "{\"x\":\"require('fs').readFileSync('/etc/passwd')\"}",
      "process.env",
      "return require('fs')",
      "void process.env",
      "x;\nrequire('fs')",
      "x\nprocess.env",
    ],
    benign: [
      "use require('express') in your app",
      "use require('express')",
      "set process.env.PORT",
      "Set process.env.NODE_ENV",
      "try new Function('a', 'b')",
      "read process.env",
    ],
  },
});

describe("server-side JavaScript injection: a mention in prose is still seen", () => {
  it("scores a lowered mention at or above the high threshold", () => {
    for (const value of ["set process.env.PORT", "use require('express')"]) {
      const high = SENSITIVITY_THRESHOLDS.high;
      assert.ok(score(value) >= high && score(value) < BLOCKS, `${value}: ${score(value)}`);
    }
  });
});
