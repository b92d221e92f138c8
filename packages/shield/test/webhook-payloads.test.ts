import assert from "node:assert/strict";
import { it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { describeRules, scoreOf, shieldDecision } from "./helpers.js";

// What code hosts post to an app's webhook: review comments quote diff hunks, rule help texts name runtimes and
// their versions. Found by posting @octokit/webhooks-examples (329 GitHub payloads) through the shield.

describeRules("sqli: unified diff hunks", (value) => scoreOf(sqliDetector, value, "body", "diff_hunk"), {
  "@@ -a,b +c,d @@ names no server variable": {
    attacks: ["@@version", "1 union select @@version", "' and @@datadir like '%'--", "x' || @@hostname #"],
    benign: ["@@ -1 +1 @@ -# Hello-World", "@@ -0,0 +1 @@ +issue comment", "@@ -12,7 +12,9 @@ export function main() {\n-  a\n+  b"],
  },
});

describeRules("cmdi: a runtime and its version in prose", (value) => scoreOf(cmdiDetector, value, "body", "help"), {
  "python 3.10, Ruby 2.3+, Node 18+ on a line of their own": {
    attacks: ["x\nsleep 5", "a\nnc 10.0.0.1 4444", ";python -c 'import os'", "\nperl -e 'system(\"id\")'", "x\nping 127.0.0.1"],
    benign: [
      "The comment is only valid in\nRuby 2.3+.\n\nNote that the cop will ignore it",
      "Requirements:\nNode 18+\nPython 3.10 or later",
      "Supported:\nperl 5.36\nphp 8.2",
    ],
  },
});

it("a pull-request review comment webhook passes, and one whose comment is an injection does not", async () => {
  const payload = {
    action: "created",
    comment: {
      diff_hunk: "@@ -1,3 +1,4 @@\n-# Hello-World\n+# Hello World\n+Requires\nNode 18+",
      path: "README.md",
      body: "Nit: the title lost its dash.",
    },
    repository: { full_name: "octo/hello-world", ssh_url: "git@github.com:octo/hello-world.git" },
  };
  const post = (body: unknown) =>
    shieldDecision(
      new Request("http://app.test/webhooks/github", {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "pull_request_review_comment" },
        body: JSON.stringify(body),
      }),
    );
  const clean = await post(payload);
  assert.equal(clean.conclusion, "ALLOW", clean.reason.message);
  const injected = await post({ ...payload, comment: { ...payload.comment, body: "x' union select @@version, null--" } });
  assert.equal(injected.conclusion, "DENY");
  assert.match(injected.reason.message, /sqli in body\.comment\.body/);
});
