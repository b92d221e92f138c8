import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { lockfileFor, sriOf } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball, manifest } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

/**
 * A CI gate reads three answers from `parapet audit`: 0 "checked, nothing at or above the gate", 1 "findings", 2 "the
 * run could not do its job". Each test here is a run that could not check what it was asked to check, or could not
 * deliver its report, and that answered 0 or 1 instead of 2.
 */

const DAY = 86_400_000;
let good: Uint8Array;
let other: Uint8Array;
let registry: Server;
let registryUrl: string;
/** Paths the registry answers with 503, as a registry or proxy in trouble does for part of a run. */
const failing = new Set<string>();

before(async () => {
  good = await buildTarball({ "package.json": manifest("tiny-pad"), "index.js": 'module.exports = (s) => " " + s;\n' });
  other = await buildTarball({ "package.json": manifest("other-pad"), "index.js": "module.exports = 1;\n" });
  const packument = (name: string) =>
    JSON.stringify({
      name,
      time: { "1.0.0": new Date(Date.now() - 90 * DAY).toISOString() },
      versions: { "1.0.0": { name, version: "1.0.0", _npmUser: { name: "alice" } } },
    });
  registry = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (failing.has(path)) return void res.writeHead(503).end();
    const tarball = { "/tiny-pad/-/tiny-pad-1.0.0.tgz": good, "/other-pad/-/other-pad-1.0.0.tgz": other }[path];
    if (tarball) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
    if (path === "/tiny-pad" || path === "/other-pad") return void res.writeHead(200).end(packument(path.slice(1)));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
});

after(async () => {
  registry.closeAllConnections();
  await new Promise((resolve) => registry.close(resolve));
});

/** Port 1 on the loopback: nothing listens there, so every request is refused at once. */
const UNREACHABLE = "http://127.0.0.1:1/";
/** The run's whole environment: the machine's own npm settings and proxies must not leak in. */
const env = (extra: Record<string, string> = {}) => ({ HOME: tempDir(), ...extra });

function onePackage(): string {
  return tempDir({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "tiny-pad": "1.0.0" } }),
    "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(good) }]),
  });
}

test("--no-tarballs against a registry that cannot be reached exits 2, not 0, and says how to point at a mirror", async () => {
  const dir = onePackage();
  const result = await runCli([dir, "--no-tarballs", "--registry", UNREACHABLE, "--cache-dir", tempDir()], env());
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /could not read the registry metadata of any of the 1 packages/);
  assert.match(result.stderr, /--registry/);
  assert.match(result.stderr, /mirror/);

  const sarif = await runCli([dir, "--no-tarballs", "--sarif", "--registry", UNREACHABLE, "--cache-dir", tempDir()], env());
  assert.equal(sarif.code, 2);
  const run = (JSON.parse(sarif.stdout) as { runs: Array<{ invocations?: Array<{ executionSuccessful: boolean }> }> }).runs[0];
  assert.equal(run?.invocations?.[0]?.executionSuccessful, false);

  // Skipping the registry on purpose is no failure.
  const skipped = await runCli([dir, "--no-tarballs", "--no-metadata", "--registry", UNREACHABLE], env());
  assert.equal(skipped.code, 0, skipped.stderr);
});

test("a proxy variable the run cannot use is named in the failure", async () => {
  const dir = onePackage();
  const proxy = "http://127.0.0.1:1/";
  const result = await runCli(
    [dir, "--no-tarballs", "--registry", UNREACHABLE, "--cache-dir", tempDir()],
    env({ HTTPS_PROXY: proxy, NODE_USE_ENV_PROXY: "" }),
  );
  assert.equal(result.code, 2);
  assert.match(result.stderr, /HTTPS_PROXY is set/);
  assert.match(result.stderr, /NODE_USE_ENV_PROXY=1/);
});

test("a workspace where one package's tarball could not be fetched is not clean: exit 2, in text, JSON and SARIF", async () => {
  failing.add("/other-pad/-/other-pad-1.0.0.tgz");
  try {
    const dir = tempDir({
      "package.json": JSON.stringify({ name: "fixture-app", workspaces: ["packages/*"] }),
      "package-lock.json": lockfileFor([
        { name: "tiny-pad", version: "1.0.0", integrity: sriOf(good) },
        { name: "other-pad", version: "1.0.0", integrity: sriOf(other) },
      ]),
    });
    const common = [dir, "--registry", registryUrl, "--cache-dir", tempDir()];
    const text = await runCli(common, env());
    assert.equal(text.code, 2, text.stdout + text.stderr);
    assert.match(text.stdout, /other-pad@1\.0\.0/, "the report names the package that was not checked");
    assert.match(text.stderr, /1 of the 2 tarballs could not be fetched/);

    const json = await runCli([...common, "--json"], env());
    assert.equal(json.code, 2);
    const report = JSON.parse(json.stdout) as { error?: { code: string }; tarballs: { attempted: number; analyzed: number } };
    assert.equal(report.error?.code, "PARAPET_E_AUDIT_UNCHECKED");
    assert.deepEqual(report.tarballs, { attempted: 2, analyzed: 1 });

    const sarif = await runCli([...common, "--sarif"], env());
    assert.equal(sarif.code, 2);
    const invocation = (
      JSON.parse(sarif.stdout) as {
        runs: Array<{
          invocations?: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ message: { text: string } }> }>;
        }>;
      }
    ).runs[0]?.invocations?.[0];
    assert.equal(invocation?.executionSuccessful, false, "code scanning must not close the alerts of a package it did not see");
    assert.match(invocation?.toolExecutionNotifications[0]?.message.text ?? "", /1 of the 2 tarballs/);

    // A package the team cannot fetch from CI, accepted in the config with a reason, no longer fails the run.
    writeFileSync(
      join(dir, ".parapet-audit.json"),
      JSON.stringify({ ignore: [{ check: "tarball-unreadable", package: "other-pad", reason: "vendored; reviewed by hand" }] }),
    );
    const accepted = await runCli(common, env());
    assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
  } finally {
    failing.clear();
  }
});

test("a lockfile listing no packages while package.json declares dependencies exits 2: nothing could be checked", async () => {
  const dir = tempDir({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "tiny-pad": "^1.0.0" } }),
    "package-lock.json": lockfileFor([]),
  });
  const result = await runCli([dir, "--registry", registryUrl, "--cache-dir", tempDir()], env());
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /lists no packages, but package\.json declares 1 dependency/);
  // A project without dependencies has nothing to check: that is a clean run.
  const empty = tempDir({ "package.json": JSON.stringify({ name: "fixture-app" }), "package-lock.json": lockfileFor([]) });
  assert.equal((await runCli([empty, "--registry", registryUrl, "--cache-dir", tempDir()], env())).code, 0);
});

test("--offline with a cache that holds none of the tarballs exits 2: no code was checked", async () => {
  const dir = onePackage();
  const result = await runCli([dir, "--offline", "--cache-dir", tempDir()], env());
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /the cache holds none of the 1 tarballs/);
  // Filled by one online run, the same cache passes offline.
  const cache = tempDir();
  assert.equal((await runCli([dir, "--registry", registryUrl, "--cache-dir", cache], env())).code, 0);
  assert.equal((await runCli([dir, "--offline", "--cache-dir", cache], env())).code, 0);
});

test("--output writes the document to a file; a file that cannot be written exits 2, even with findings", async () => {
  const dir = onePackage();
  const out = join(tempDir(), "audit.sarif");
  const written = await runCli([dir, "--sarif", "--output", out, "--registry", registryUrl, "--cache-dir", tempDir()], env());
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout, "", "the document goes to the file, not stdout");
  assert.equal((JSON.parse(readFileSync(out, "utf8")) as { version: string }).version, "2.1.0");

  // `--sarif > missing/audit.sarif` fails in the shell with exit 1 before parapet runs, which CI reads as findings.
  const missing = join(tempDir(), "no-such-folder", "audit.sarif");
  const noFolder = await runCli([dir, "--sarif", "--output", missing, "--no-tarballs", "--no-metadata"], env());
  assert.equal(noFolder.code, 2);
  assert.match(noFolder.stderr, /cannot write the report to .*no-such-folder.*audit\.sarif/);
  assert.match(noFolder.stderr, /create the folder/i);
  assert.ok(!existsSync(missing));

  // Findings at the gate (--fail-on info, and an --offline miss) would be exit 1: the report is lost, so exit 2.
  const underAFile = join(tempDir({ "a-file": "" }), "a-file", "audit.json");
  const lost = await runCli([dir, "--json", "--output", underAFile, "--offline", "--fail-on", "info", "--cache-dir", tempDir()], env());
  assert.equal(lost.code, 2, lost.stderr);
  assert.match(lost.stderr, /cannot write the report to .*audit\.json \(ENOTDIR\)/);

  // A read-only file (root writes it anyway, so only as another user).
  if (process.getuid?.() !== 0) {
    const readOnly = join(tempDir({ "audit.json": "old\n" }), "audit.json");
    chmodSync(readOnly, 0o444);
    const denied = await runCli([dir, "--json", "--output", readOnly, "--no-tarballs", "--no-metadata"], env());
    assert.equal(denied.code, 2, denied.stderr);
    assert.match(denied.stderr, /cannot write the report to .*audit\.json \(EACCES\)/);
  }

  // A folder given as the output file.
  const folder = join(tempDir(), "out");
  mkdirSync(folder);
  const isFolder = await runCli([dir, "--output", folder, "--no-tarballs", "--no-metadata"], env());
  assert.equal(isFolder.code, 2);
  assert.match(isFolder.stderr, /cannot write the report to/);
});
