import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { collectPackuments } from "../src/metadata/collect.js";
import type { LockedPackage } from "../src/model.js";
import { authHeaders, expandEnv, readNpmrcSettings } from "../src/registry.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { scanTarballs } from "../src/tarball/scan.js";
import { sriOf, startTestRegistry } from "./registry-server.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

/** Settings as npm would read them in `dir`, isolated from this machine's own npm config. */
function settingsFor(dir: string, env: Record<string, string> = {}) {
  const home = tempDir();
  return readNpmrcSettings(dir, {
    home,
    env: { npm_config_globalconfig: join(home, "no-global-npmrc"), ...env },
    runNpm: () => Promise.resolve(""),
  });
}

function locked(name: string, version: string, integrity: string, resolved?: string): LockedPackage {
  return { name, version, source: "registry", integrity, ...(resolved ? { resolved } : {}), location: { file: "package-lock.json" } };
}

/** A private registry that wants `Bearer s3cret`, and records what it was sent. */
async function startPrivateRegistry(files: Record<string, Uint8Array | string>) {
  const seen: Array<{ path: string; authorization: string }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    seen.push({ path, authorization: req.headers.authorization ?? "(none)" });
    if (req.headers.authorization !== "Bearer s3cret") return void res.writeHead(401).end("{}");
    const body = files[path];
    if (body === undefined) return void res.writeHead(404).end("{}");
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test(".npmrc variables are expanded as npm does", async () => {
  assert.equal(expandEnv(`\${REG}npm/`, { REG: "https://r.example/" }), "https://r.example/npm/");
  assert.equal(expandEnv(`a\${OPT?}b`, {}), "ab");
  assert.equal(expandEnv(`\${MISSING}`, {}), undefined, "an unset variable is reported, not expanded to nothing");
  const dir = tempDir();
  writeFileSync(join(dir, ".npmrc"), `registry=\${NPM_REGISTRY}\n//\${PRIVATE_HOST}/:_authToken=\${NPM_TOKEN}\n`);
  const settings = await settingsFor(dir, { NPM_REGISTRY: "https://npm.acme.test/", PRIVATE_HOST: "npm.acme.test", NPM_TOKEN: "t0k" });
  assert.equal(settings.registry, "https://npm.acme.test/");
  assert.deepEqual(authHeaders("https://npm.acme.test/foo", settings), { authorization: "Bearer t0k" });
  // Unset: npm keeps the text. A default registry that is not a URL falls back, as in npm; a token is not sent as "${NPM_TOKEN}".
  const unset = await settingsFor(dir, { PRIVATE_HOST: "npm.acme.test" });
  assert.equal(unset.registry, "https://registry.npmjs.org/");
  assert.deepEqual(authHeaders("https://npm.acme.test/foo", unset), {});
});

test("npm_config_registry in the environment wins over the files, as in npm", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, ".npmrc"), "registry=https://from-file.example/\n");
  const settings = await settingsFor(dir, { npm_config_registry: "http://127.0.0.1:4873" });
  assert.equal(settings.registry, "http://127.0.0.1:4873/");
  const upper = await settingsFor(tempDir(), { NPM_CONFIG_REGISTRY: "https://upper.example/" });
  assert.equal(upper.registry, "https://upper.example/");
  // --registry wins over everything, and npm is not spawned to ask.
  const explicit = await readNpmrcSettings(dir, {
    registry: "https://cli.example",
    env: { npm_config_registry: "http://127.0.0.1:4873" },
    runNpm: () => Promise.reject(new Error("npm must not be asked")),
  });
  assert.equal(explicit.registry, "https://cli.example/");
});

test("credentials go only to the host (and path) they were written for", async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, ".npmrc"),
    [
      "//npm.acme.test/:_authToken=tok-acme",
      "//npm.acme.test/team/:_authToken=tok-team",
      "//basic.example:8443/:_auth=dXNlcjpwYXNz",
      "//legacy.example/:username=ann",
      `//legacy.example/:_password=${Buffer.from("pw").toString("base64")}`,
    ].join("\n"),
  );
  const settings = await settingsFor(dir);
  assert.deepEqual(authHeaders("https://npm.acme.test/foo/-/foo-1.0.0.tgz", settings), { authorization: "Bearer tok-acme" });
  assert.deepEqual(authHeaders("https://npm.acme.test/team/foo", settings), { authorization: "Bearer tok-team" });
  assert.deepEqual(authHeaders("https://basic.example:8443/x", settings), { authorization: "Basic dXNlcjpwYXNz" });
  assert.deepEqual(authHeaders("https://legacy.example/x", settings), {
    authorization: `Basic ${Buffer.from("ann:pw").toString("base64")}`,
  });
  for (const elsewhere of ["https://npm.acme.test.evil.example/x", "https://registry.npmjs.org/foo", "https://basic.example/x"])
    assert.deepEqual(authHeaders(elsewhere, settings), {}, elsewhere);
});

test("a scoped package is fetched from its scope's registry with its token; the public registry never hears its name", async () => {
  const utils = await buildTarball({ "package.json": JSON.stringify({ name: "@acme/utils", version: "1.0.0" }), "index.js": "1;\n" });
  const packument = JSON.stringify({ name: "@acme/utils", versions: { "1.0.0": {} }, time: { "1.0.0": "2020-01-01T00:00:00Z" } });
  const priv = await startPrivateRegistry({ "/@acme/utils/-/utils-1.0.0.tgz": utils, "/@acme/utils": packument });
  const pub = await startTestRegistry([]);
  try {
    const dir = tempDir();
    const privHost = new URL(priv.url).host;
    writeFileSync(join(dir, ".npmrc"), `registry=${pub.url}\n@acme:registry=${priv.url}\n//${privHost}/:_authToken=\${ACME_TOKEN}\n`);
    const settings = await settingsFor(dir, { ACME_TOKEN: "s3cret" });
    const cache = createTarballCache(join(tempDir(), "cache"));
    const packages = [locked("@acme/utils", "1.0.0", sriOf(utils))];
    const scan = await scanTarballs(packages, { registry: settings.registry, npmrc: settings, cache });
    const meta = await collectPackuments(packages, { registry: settings.registry, npmrc: settings, cache, now: Date.now });
    assert.deepEqual(scan.findings, []);
    assert.ok(scan.analyses.has("@acme/utils@1.0.0"));
    assert.deepEqual(meta.findings, []);
    assert.ok(meta.packuments.has("@acme/utils"));
    assert.deepEqual(pub.requests, [], "the internal name never reached the public registry");
    assert.deepEqual(
      priv.seen.map((s) => s.authorization),
      ["Bearer s3cret", "Bearer s3cret"],
    );
  } finally {
    await priv.close();
    await pub.close();
  }
});

test("a wrong token is reported without the token", async () => {
  const priv = await startPrivateRegistry({});
  try {
    const host = new URL(priv.url).host;
    const dir = tempDir();
    writeFileSync(join(dir, ".npmrc"), `@acme:registry=${priv.url}\n//${host}/:_authToken=not-the-one-9f8e7d\n`);
    const settings = await settingsFor(dir);
    const cache = createTarballCache(join(tempDir(), "cache"));
    const packages = [locked("@acme/utils", "1.0.0", `sha512-${"A".repeat(86)}==`)];
    const scan = await scanTarballs(packages, { registry: settings.registry, npmrc: settings, cache });
    const meta = await collectPackuments(packages, { registry: settings.registry, npmrc: settings, cache, now: Date.now });
    const messages = [...scan.findings, ...meta.findings].map((f) => f.message).join("\n");
    assert.match(messages, /HTTP 401/);
    assert.doesNotMatch(messages, /not-the-one/);
  } finally {
    await priv.close();
  }
});

test("a package the registry does not have at all is high, like an unpublished version", async () => {
  const registry = await startTestRegistry([]);
  try {
    const cache = createTarballCache(join(tempDir(), "cache"));
    const integrity = `sha512-${"A".repeat(86)}==`;
    const gone = await collectPackuments([locked("gone", "1.0.0", integrity)], { registry: registry.url, cache, now: Date.now });
    assert.deepEqual(
      gone.findings.map((f) => [f.checkId, f.severity]),
      [["version-unpublished", "high"]],
    );
    assert.match(gone.findings[0]?.message ?? "", /no package named gone at all \(HTTP 404\)/);
    // The lockfile says it comes from elsewhere (a registry .npmrc does not map): a 404 here proves nothing.
    const elsewhere = await collectPackuments(
      [locked("internal", "1.0.0", integrity, "https://npm.acme.test/internal/-/internal-1.0.0.tgz")],
      {
        registry: registry.url,
        cache,
        now: Date.now,
      },
    );
    assert.deepEqual(
      elsewhere.findings.map((f) => [f.checkId, f.severity]),
      [["metadata-unavailable", "info"]],
    );
  } finally {
    await registry.close();
  }
});
