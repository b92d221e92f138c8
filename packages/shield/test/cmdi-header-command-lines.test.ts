import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { describeRules, scoreOf } from "./helpers.js";

/**
 * Headers are free text written by clients, so the detector is cautious there; but a User-Agent that is nothing
 * but a command line with an option is no client's own. A Referer's query is not read value by value: after a
 * site search for `ls -la`, every page the searcher opens next would carry it.
 */
describeRules("command injection: command lines in headers", (value) => scoreOf(cmdiDetector, value, "header"), {
  "a header that is a whole command line with an option": {
    attacks: ["env --version", "set -o history", "ls -la /tmp", "mail -s x", "ansible-config dump", "ansible-doc plugin ping"],
    benign: [
      "curl/8.4.0",
      "Java/1.8.0_151",
      "Wget/1.21 (linux-gnu)",
      "python-requests/2.31.0",
      "Go-http-client/1.1",
      "ansible-galaxy/2.10.0 (Linux; python:3.8.5)",
      "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
      "iPhone (Nextcloud iOS)",
      "find more",
    ],
  },
});
