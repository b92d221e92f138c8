import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { audit } from "../src/audit.js";
import type { Finding } from "../src/model.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { type PublishedVersion, sriOf, startTestRegistry, type TestRegistry } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

// End to end, through audit() and the CLI: .npmrc routes a scope to a private registry
// with a token, and both the fetches and the dependency-confusion check follow it.

const DAY = 86_400_000;
const TOKEN = "s3cret-9f8e7d";
/** An environment with no npm config but the project's: a temp HOME, no global npmrc. */
function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = tempDir();
  return { HOME: home, npm_config_globalconfig: join(home, "no-global-npmrc"), ...extra };
}

let pub: TestRegistry;
let priv: TestRegistry;
let utils: PublishedVersion;
let pad: PublishedVersion;

before(async () => {
  const old = new Date(Date.now() - 90 * DAY);
  utils = {
    name: "@acme/utils",
    version: "1.0.0",
    tarball: await buildTarball({ "package.json": JSON.stringify({ name: "@acme/utils", version: "1.0.0" }), "index.js": "1;\n" }),
    publishedAt: old,
    publisher: "acme-ci",
  };
  pad = {
    name: "tiny-pad",
    version: "1.0.0",
    tarball: await buildTarball({ "package.json": JSON.stringify({ name: "tiny-pad", version: "1.0.0" }), "index.js": "2;\n" }),
    publishedAt: old,
    publisher: "alice",
  };
  pub = await startTestRegistry([pad]);
  priv = await startTestRegistry([utils], {}, { authorization: `Bearer ${TOKEN}` });
});

after(async () => {
  await pub.close();
  await priv.close();
});

/** npm with omit-lockfile-registry-resolved: no host in the lockfile, so only .npmrc says where @acme lives. */
function lockfile(): string {
  const packages = {
    "": { name: "app", version: "1.0.0" },
    "node_modules/@acme/utils": { version: "1.0.0", integrity: sriOf(utils.tarball) },
    "node_modules/tiny-pad": { version: "1.0.0", integrity: sriOf(pad.tarball) },
  };
  return `${JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

function project(npmrc: string): string {
  return tempDir({
    "package-lock.json": lockfile(),
    ".npmrc": npmrc,
    ".parapet-audit.json": JSON.stringify({ internalScopes: ["@acme"] }),
  });
}

const privHost = () => new URL(priv.url).host;

function resetRequests(): void {
  for (const registry of [pub, priv]) {
    registry.requests.length = 0;
    registry.authorizations.length = 0;
  }
}

test("CLI: a scope mapped in .npmrc is fetched from its registry with its token; the public registry never hears of it", async () => {
  resetRequests();
  const dir = project(`registry=${pub.url}\n@acme:registry=${priv.url}\n//${privHost()}/:_authToken=\${ACME_TOKEN}\n`);
  const env = isolatedEnv({ ACME_TOKEN: TOKEN });
  const result = await runCli([dir, "--json", "--cache-dir", join(tempDir(), "cache")], env);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { findings: Finding[]; notices: string[] };
  assert.deepEqual(report.findings, [], "read, analyzed, and not dependency confusion");
  assert.deepEqual(report.notices, []);
  assert.deepEqual(priv.requests.sort(), ["/@acme/utils", "/@acme/utils/-/utils-1.0.0.tgz"]);
  assert.deepEqual(priv.authorizations, [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  assert.deepEqual(pub.requests.sort(), ["/tiny-pad", "/tiny-pad/-/tiny-pad-1.0.0.tgz"]);
  assert.deepEqual(pub.authorizations, ["(none)", "(none)"], "the token goes only to the host it was written for");

  // The terminal report, too, never shows the token.
  const terminal = await runCli([dir, "--cache-dir", join(tempDir(), "cache")], env);
  assert.equal(terminal.code, 0, terminal.stderr);
  assert.doesNotMatch(terminal.stdout + terminal.stderr, new RegExp(TOKEN));
});

test("CLI: a wrong token is a visible, token-free failure, and the name still stays off the public registry", async () => {
  resetRequests();
  const dir = project(`registry=${pub.url}\n@acme:registry=${priv.url}\n//${privHost()}/:_authToken=not-the-one-1a2b3c\n`);
  const result = await runCli([dir, "--cache-dir", join(tempDir(), "cache")], isolatedEnv());
  // A package whose code was not read is not a pass, whatever the gate: exit 2, saying which and why.
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /1 of the 2 tarballs could not be fetched, so those packages' code was not checked/);
  assert.match(result.stdout, /HTTP 401/);
  assert.match(result.stdout, /warning: could not read the tarballs of 1 package and the registry metadata of 1 package/);
  assert.doesNotMatch(result.stdout + result.stderr, /not-the-one/);
  assert.ok(!pub.requests.some((path) => path.includes("@acme")), JSON.stringify(pub.requests));
});

test(`audit(): a scope whose registry is an unset \${VAR} is not fetched from the default registry`, async () => {
  resetRequests();
  const dir = project(`registry=${pub.url}\n@acme:registry=\${ACME_REGISTRY}\n`);
  const report = await audit({ dir, env: isolatedEnv(), cache: createTarballCache(join(tempDir(), "cache")) });
  assert.ok(!pub.requests.some((path) => path.includes("@acme")), JSON.stringify(pub.requests));
  assert.deepEqual(priv.requests, []);
  const acme = report.findings.filter((f) => f.packageName === "@acme/utils");
  assert.deepEqual(acme.map((f) => f.checkId).sort(), ["metadata-unavailable", "tarball-unreadable"]);
  for (const f of acme) assert.match(f.message, /\$\{ACME_REGISTRY\} is not set/);
  assert.ok(!report.findings.some((f) => f.checkId === "dependency-confusion"), "npm would not fall back to the public registry either");
});
