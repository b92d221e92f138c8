import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { unshell } from "../src/detectors/cmdi/unshell.js";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

// The detectors turn most prose away with a mask test or one word check instead of a regex; these are the
// attacks that must still get through those gates, and the prose built to brush against them.
describe("cmdi on values without shell syntax", () => {
  for (const attack of [
    "netsh firewall set opmode disable",
    "NETSH.EXE advfirewall set allprofiles state off",
    "powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA",
    "c89 -wrapper sh,-c,id",
    "if exist c:\\boot.ini echo pwned",
    "if errorlevel 1 goto end",
    "If Defined target goto run",
  ])
    it(`still flags ${attack}`, () => assert.ok(scoreOf(cmdiDetector, attack) >= BLOCKS, attack));

  for (const prose of [
    "Register now for the spring event",
    "if you want, for example, two seats",
    "regular price, net of tax",
    "Item number 42",
    "ann@example.com",
    "sh, c and d are letters",
  ])
    it(`lets ${prose} through`, () => assert.ok(scoreOf(cmdiDetector, prose) < BLOCKS, prose));
});

describe("cmdi on a value with a single quote", () => {
  it("reads a lone quote inside a word the way the shell joins it", () => {
    assert.equal(unshell("c'at /etc/passwd"), "cat /etc/passwd");
    assert.equal(unshell("o'brien"), "obrien");
    // Two quotes still go through the pair rules: `'wh'oami` → `whoami`.
    assert.equal(unshell("'wh'oami"), "whoami");
  });

  it("flags a command split by quotes and lets names with an apostrophe through", () => {
    assert.ok(scoreOf(cmdiDetector, "; c'a't /etc/passwd") >= BLOCKS);
    for (const name of ["Ann O'Brien", "don't stop me now", "it's 5 o'clock"]) assert.ok(scoreOf(cmdiDetector, name) < BLOCKS, name);
  });
});

describe("code injection behind its cheap gates", () => {
  for (const attack of [
    "java.lang.Runtime",
    "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA",
    "process.mainModule.require('child_process').execSync('id')",
    "global.process.binding('spawn_sync')",
    "this.constructor.constructor('return process')()",
    "{\"rce\":\"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()\"}",
  ])
    it(`still flags ${attack.slice(0, 50)}`, () => assert.ok(scoreOf(codeInjectionDetector, attack) >= BLOCKS, attack));

  for (const prose of [
    "The process of requirement gathering takes a week.",
    "Fits true to size, ships in 2-3 days.",
    "evaluation of the new function",
    "ann@example.com",
  ])
    it(`lets ${prose} through`, () => assert.ok(scoreOf(codeInjectionDetector, prose) < BLOCKS, prose));
});

describe("ssrf's parameter-name check", () => {
  it("gives the same verdict on a name it has already seen", () => {
    for (let round = 0; round < 2; round++) {
      assert.ok(scoreOf(ssrfDetector, "127.0.0.1", "query", "callback_url") >= BLOCKS);
      assert.equal(scoreOf(ssrfDetector, "127.0.0.1", "query", "version"), 0);
    }
  });
});
