import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// A request path names a resource. APIs serve `/whoami`, tool sites `/base64`, wikis and man-page sites an article
// per command; platforms route through dot-directories of their own.
describeRules("cmdi: a request path is a resource name", (path) => scoreOf(cmdiDetector, path, "path", "path"), {
  "a command's name as a segment is a page, a program's path in a system directory is a command": {
    attacks: ["/bin/whoami", "/usr/bin/uname", "/usr/local/bin/whoami", "/sbin/ifconfig", "/x/;cat+/etc/passwd", "/x/whoami\t-a"],
    benign: ["/api/whoami", "/auth/whoami", "/tools/base64", "/wiki/Sudo", "/man/chmod", "/docs/commands/wget", "/uname"],
  },
});

describeRules("traversal: hidden entries in a request path", (path) => scoreOf(traversalDetector, path, "path", "path"), {
  "secrets' dot-files deny, platforms' routing directories pass": {
    attacks: ["/.git/config", "/.env", "/app/.htpasswd", "/.ssh/id_rsa", "/.authorized_keys", "/.netlifyrc", "/.vite-secrets"],
    benign: [
      "/.well-known/security.txt",
      "/.netlify/functions/hello",
      "/.auth/login/aad/callback",
      "/.auth/me",
      "/node_modules/.vite/deps/react.js",
    ],
  },
});
