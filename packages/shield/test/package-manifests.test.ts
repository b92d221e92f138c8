import assert from "node:assert/strict";
import { it } from "node:test";
import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { nosqliDetector } from "../src/detectors/nosqli/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { describeRules, scoreOf, shieldDecision } from "./helpers.js";

// Documents that registries, CI services and schema stores receive as JSON bodies: package manifests and JSON
// Schemas. Their version ranges, script paths, globs and keywords read like injections to a careless detector.
// Found by posting every package.json and JSON file under node_modules through the shield (12 of 399 manifests
// were denied before these rules). Each rule keeps the attacks that look closest.

describeRules("sqli: version ranges", (value) => scoreOf(sqliDetector, value, "body", "node"), {
  "a range whose || joins versions": {
    attacks: ["1 || 1=1", "1 || 1 >= 1", "2 || 3 <= 4", "1 ||1 >=1", "1 or 1=1"],
    benign: [
      ">=16 || 14 >=14.17",
      "^1.2.3 || ^2.0.0",
      "~1.2 || 3.x",
      ">=1.0.0 <2.0.0",
      "1.2 - 1.4",
      "^14.18.0 || >=16.0.0",
      "1.0.0-beta.1 || 2.x",
    ],
  },
});

describeRules("cmdi: a project's script in bin/", (value) => scoreOf(cmdiDetector, value, "body", "semver"), {
  "bin/<name> as package.json's bin or a framework's launcher names it": {
    attacks: ["bin/ansible", "bin/visudo", "/bin/x.js", "/bin/evil", "bin/x.js;id", "bin/x.js && id", "bin/x -c id"],
    benign: ["bin/semver.js", "bin/js-yaml.js", "bin/cli.mjs", "bin/run.cjs", "bin/www", "bin/biome", "bin/rails"],
  },
});

describeRules("traversal: globs under a system directory's name", (value) => scoreOf(traversalDetector, value, "body", "files"), {
  "a glob is no file open() can read": {
    attacks: ["/etc/passwd", "/etc/passwd*", "/lib/x86_64-linux-gnu/libc.so.6", "/proc/self/environ"],
    benign: ["/lib/**/*", "/lib/*.js", "/dist/**"],
  },
});

describeRules("ssrf: version numbers under URL-like names", (value) => scoreOf(ssrfDetector, value, "body", "@img/sharp-darwin-arm64"), {
  "0.x.y is a version; 0.0.0.0 and 0 are the unspecified address": {
    attacks: ["0.0.0.0", "http://0.0.0.0:8080/", "127.0.0.1", "0x7f000001"],
    benign: ["0.35.5", "0.34.1", "0.1.0"],
  },
});

describeRules("nosqli: JSON Schema keywords as keys", (key) => scoreOf(nosqliDetector, key, "body-key", key), {
  "$comment annotates; $ne, $where change the query": {
    attacks: ["$ne", "$where", "$gt", "$regex"],
    benign: ["$comment", "$schema", "$id", "$ref", "$defs"],
  },
});

it("a package manifest posted as JSON passes the shield, and a field injected into it is still denied", async () => {
  const manifest = {
    name: "minipass",
    description: "minimal implementation of a PassThrough stream",
    bin: { semver: "bin/semver.js" },
    files: ["/lib/**/*"],
    engines: { node: ">=16 || 14 >=14.17" },
    optionalDependencies: { "@img/sharp-darwin-arm64": "0.35.5" },
    schema: { $schema: "http://json-schema.org/draft-07/schema#", $comment: "see the docs", type: "object" },
  };
  const post = (body: unknown) =>
    shieldDecision(
      new Request("http://app.test/api/packages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  const clean = await post(manifest);
  assert.equal(clean.conclusion, "ALLOW", clean.reason.message);
  const injected = await post({ ...manifest, engines: { node: "1 || 1=1" } });
  assert.equal(injected.conclusion, "DENY");
  assert.match(injected.reason.message, /sqli in body\.engines\.node/);
});
