import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { nosqliDetector } from "../src/detectors/nosqli/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import type { Detector, InputKind } from "../src/detectors/types.js";
import { BLOCKS, scoreOf } from "./helpers.js";

/** Everyday values that read as one attack shape, next to the attacks of that shape that must still be caught. */
function near(title: string, detector: Detector, attacks: readonly string[], benign: readonly string[], kind: InputKind = "query"): void {
  describe(title, () => {
    for (const value of attacks)
      it(`blocks ${JSON.stringify(value)}`, () => assert.ok(scoreOf(detector, value, kind) >= BLOCKS, `missed ${JSON.stringify(value)}`));
    for (const value of benign)
      it(`lets ${JSON.stringify(value)} through`, () =>
        assert.ok(
          scoreOf(detector, value, kind) < BLOCKS,
          `false positive on ${JSON.stringify(value)}: ${scoreOf(detector, value, kind)}`,
        ));
  });
}

near(
  "sqli: a word's apostrophe before OR and a number leaves the query's quote dangling",
  sqliDetector,
  [
    "1' or 1",
    "' or 1",
    '-1" or 2',
    "a'or'a",
    "admin' or 'x",
    "x' or 1--",
    "x' or 1#",
    "admin' or 1=1",
    "' or 2/3",
    "x' or 1 and '1",
    "x' or 1)",
  ],
  [
    "Ballon d'Or 2023",
    "Palme d'Or 2024",
    "Côte-d'Or 21000",
    "Prix de l'Or 750",
    "O'Or 5",
    "Kids' or 4",
    "ballon d'or 2023/24",
    "Ballon d'Or 2023 & 2024",
    "Ballon d'Or 1-2-3",
  ],
);

near(
  "sqli: a quoted clause of prose is not the operand of a condition",
  sqliDetector,
  ["' or 'a' and '1", "' or 'x' or '", "1' or '1' and '1", "x' or 5 or 'x"],
  ["use 'or' instead of 'and' (see p. 2)"],
);

near(
  "traversal: a system file a sentence talks about is no file opened",
  traversalDetector,
  [
    "/etc/passwd",
    "/etc/hosts",
    "cat /etc/passwd",
    "please cat /etc/passwd",
    "tail -f /var/log/syslog",
    "ll /var/www/",
    "zstdcat /var/log/sensitive_log_file.zst",
    "x; cat /etc/passwd",
    "see it at ../../etc/hosts",
    "type `cat /etc/shadow` now",
  ],
  [
    "I edited /etc/hosts to point app.local to 127.0.0.1",
    "the logs are in /var/log/app.log",
    "the file is at /etc/nginx/sites-available/default",
    "I've put it in /usr/local/bin already.",
    "Please check /etc/passwd",
  ],
);

near(
  "traversal: a site's /windows/ page is not the Windows directory",
  traversalDetector,
  [
    "/windows/win.ini",
    "/windows/system32/drivers/etc/hosts",
    "/windows/repair/sam",
    "/windows/panther/unattend.xml",
    "../../windows/setup.log",
  ],
  ["/docs/windows/install", "/download/windows/", "/windows/"],
  "path",
);

near(
  "cmdi: a word glued to `=` after an operator assigns a variable",
  cmdiDetector,
  ["x && echo vulnerable", "x && host evil.example", "|| ps aux", "a=cat; $a /etc/passwd", "x=1 && whoami"],
  ['cpu>80 && host=~"web.*"', "level=warn && tail=100"],
);

near(
  "nosqli: a comparison of a field with a value is a filter, not a tautology",
  nosqliDetector,
  ["|| 1==1", "admin' && 'x'==='x", "' || x == x", "'||'a'=='a"],
  ['status != "done" && priority == "high"', "archived == false || owner == me"],
);
