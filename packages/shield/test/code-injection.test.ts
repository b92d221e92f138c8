// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base64Forms } from "../src/detectors/code-injection/base64-code.js";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import type { InputKind } from "../src/detectors/types.js";
import { BLOCKS, candidate, scoreOf } from "./helpers.js";

interface Case {
  readonly value: string;
  readonly kind?: InputKind;
}

function blocks(title: string, cases: readonly Case[]): void {
  describe(`${title}: blocked`, () => {
    for (const { value, kind } of cases)
      it(`${value} (${kind ?? "query"})`, () => assert.ok(scoreOf(codeInjectionDetector, value, kind) >= BLOCKS, value));
  });
}

function passes(title: string, cases: readonly Case[]): void {
  describe(`${title}: near misses pass`, () => {
    for (const { value, kind } of cases)
      it(`${value} (${kind ?? "query"})`, () => assert.ok(scoreOf(codeInjectionDetector, value, kind) < BLOCKS, value));
  });
}

blocks("java", [
  { value: "java.lang.Runtime" },
  { value: "java.lang.ProcessBuilder", kind: "body-key" },
  { value: "java.io.BufferedReader", kind: "cookie" },
  { value: '{"@type":"com.sun.rowset.JdbcRowSetImpl","dataSourceName":"ldap://x/a"}' },
  { value: "org.apache.commons.collections.functors.InvokerTransformer" },
  { value: "ProcessBuilder.evil.forclosure" },
  { value: "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhw" },
  { value: "${#rt=@java.lang.Runtime@getRuntime(),#rt.exec('id')}" },
  { value: "%{#context['xwork.MethodAccessor.denyMethodExecution']=false}" },
  { value: "#{T(java.lang.Runtime).getRuntime().exec('id')}" },
  { value: "Runtime.getRuntime().exec(cmd)" },
  { value: "class.module.classLoader.resources.context.parent.pipeline.first.pattern", kind: "body-key" },
]);

passes("java", [
  { value: "I love java.util and coffee from java" },
  { value: "visit java.sun.com for downloads" },
  { value: "the runtime of the process builder was long" },
  { value: "we got java.lang.NullPointerException when we saved the form yesterday" },
  { value: "a foreclosure notice" },
  { value: "rO0ab" },
]);

blocks("php", [
  { value: "<?php system($_GET['c']); ?>" },
  { value: "<?= `id` ?>" },
  { value: "<? echo 1;" },
  { value: "system(whoami)" },
  { value: "@eval($_POST['x'])" },
  { value: "exec /* comment */ (ls)" },
  { value: "(system)('uname');" },
  { value: '"system"(ls);' },
  { value: "[system][0](ls);" },
  { value: "base64_decode('cGhwaW5mbygp')" },
  { value: "$__['o'](5)" },
  { value: "${@$b}(12)" },
  { value: "$foo->bar(1)" },
  { value: 'O:8:"stdClass":1:{s:1:"a";i:2;}' },
  { value: "$_SERVER['HTTP_HOST']" },
  { value: "{php}echo 1;{/php}" },
]);

passes("php", [
  { value: "the system (v2) is down" },
  { value: "system(s) and file(s)" },
  { value: "exec (" },
  { value: "eval(" },
  { value: "executor()" },
  { value: "cheval($foo)" },
  { value: "price is $5 (approx)" },
  { value: "$(document).ready" },
  { value: '<?xml version="1.0"?>' },
  { value: "O:8 is my seat" },
  { value: "phpinfo can leak configuration details to an attacker" },
]);

blocks("node", [
  { value: "require('child_process').exec('id')" },
  { value: "process.mainModule.require('fs')" },
  { value: "this.constructor.constructor('return process')()" },
  { value: "$3:constructor:constructor" },
  { value: "new Function('return 1')()" },
  { value: "eval(String.fromCharCode(97))" },
  { value: '{"rce":"_$$ND_FUNC$$_function(){}()"}' },
  { value: "XyQkTkRfRlVOQyQkX2Z1bmN0aW9uKCkK", kind: "cookie" },
  { value: "process.env" },
  { value: "process[mainModule" },
  // React Flight references walking into prototypes (CVE-2025-55182), as whole values and inside a JSON body.
  { value: '{"then":"$1:__proto__:then","status":"resolved_model"}' },
  { value: '{"set":"$7:Module:prototype:_compile","then":"$b:map"}' },
  { value: "$7:Module:prototype", kind: "body" },
  // Exploit code in base64, at each byte offset: require("child_process").exec('id'), and with 1 and 2 bytes before.
  { value: btoa("require(\"child_process\").exec('id')"), kind: "cookie" },
  { value: btoa("x;process.mainModule.require('fs')"), kind: "cookie" },
  { value: btoa("ab_$$ND_FUNC$$_function(){}()"), kind: "header" },
]);

passes("node", [
  { value: "we require (at minimum) two forms of id" },
  { value: "set process.env.PORT before you start the server please" },
  { value: "the constructor of the house" },
  { value: "a new function was added" },
  { value: "process documentation" },
  // Dollar amounts and prose about prototypes are not Flight references.
  { value: "price: $5:prototype model" },
  { value: "The prototype costs $40: constructor kit included" },
  { value: '{"note":"see $1 for the prototype"}' },
  // Base64 of ordinary text and random tokens.
  { value: btoa("the quick brown fox jumps over the lazy dog"), kind: "cookie" },
  { value: "dGhpcyBpcyBhIHNlc3Npb24gdG9rZW4gd2l0aCBubyBjb2Rl", kind: "cookie" },
]);

describe("base64 forms", () => {
  it("finds each word whatever bytes surround it", () => {
    const words = ["child_process", "require(", "mainModule", "_$$ND_FUNC$$_", "constructor.constructor"];
    const filler = "AZaz09+/=!~ ";
    for (const word of words) {
      const forms = base64Forms(word);
      assert.equal(forms.length, 3);
      for (let before = 0; before < 6; before++) {
        for (let after = 0; after < 4; after++) {
          const text = filler.slice(0, before) + word + filler.slice(0, after);
          const encoded = btoa(text);
          assert.ok(
            forms.some((form) => encoded.includes(form)),
            `${word} with ${before} bytes before and ${after} after: ${encoded} holds none of ${forms.join(", ")}`,
          );
        }
      }
    }
  });
});

blocks("stream wrappers", [
  { value: "php://input" },
  { value: "phar://uploads/avatar.jpg/x" },
  { value: "expect://id" },
  { value: "data://text/plain;base64,PD9waHAgc3lzdGVtKCdpZCcpOyA/Pg==" },
  { value: "zip://archive.zip#shell.php" },
  { value: "compress.zlib://http://x/a.gz" },
  { value: "jar:http://evil.example/b.zip!/a" },
  { value: "file:///etc/passwd" },
]);

passes("stream wrappers", [
  { value: "https://example.com/a.zip" },
  { value: "see the file://-style links in the docs" },
  { value: "data:image/png;base64,iVBORw0KGgo=" },
  { value: "php is a language" },
]);

describe("code-injection detector robustness", () => {
  it("reports evidence without control characters", () => {
    const finding = codeInjectionDetector.detect(candidate("<?php\nsystem('id');"));
    assert.ok(finding);
    assert.equal(finding.class, "code-injection");
    assert.doesNotMatch(finding.evidence, /[\u0000-\u001f]/);
  });

  it("finishes quickly on long adversarial input (does not hang)", () => {
    const inputs = [
      `$a${" ".repeat(50_000)}`,
      `${"$a[".repeat(20_000)}`,
      `system${"/*".repeat(20_000)}`,
      `java${".a".repeat(30_000)}`,
      `${"%{#".repeat(20_000)}`,
      `<?${" ".repeat(50_000)}`,
      `${"process.".repeat(10_000)}`,
      `${'"$a:'.repeat(20_000)}`,
      `"$1:${"a".repeat(60)}:`.repeat(2_000),
      `${"cmVxdWlyZS".repeat(10_000)}`,
    ];
    const started = performance.now();
    for (const input of inputs) codeInjectionDetector.detect(candidate(input, "body"));
    assert.ok(performance.now() - started < 2_000, "adversarial inputs took over 2 s");
  });

  it("ignores empty and plain values", () => {
    assert.equal(codeInjectionDetector.detect(candidate("")), undefined);
    assert.equal(codeInjectionDetector.detect(candidate("hello world 42")), undefined);
  });
});
