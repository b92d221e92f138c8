import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../src/audit.js";
import type { CheckContext } from "../src/checks/context.js";
import { createDependencyConfusionCheck } from "../src/checks/dependency-confusion.js";
import { createLockfileIntegrityCheck } from "../src/checks/lockfile-integrity.js";
import { mappedRegistry, npmrcMapping, yarnrcMapping } from "../src/checks/scope-registry.js";
import { DEFAULT_CONFIG, PUBLIC_REGISTRY_HOSTS, parseConfig } from "../src/config.js";
import { AuditError } from "../src/errors.js";
import type { Finding, LockedPackage } from "../src/model.js";
import { readNpmrcConfig } from "../src/registry.js";
import { tempDir } from "./temp-dir.js";

const INTEGRITY = `sha512-${"A".repeat(86)}==`;

function registryPackage(name: string, version: string, resolved?: string, extra: Partial<LockedPackage> = {}): LockedPackage {
  return {
    name,
    version,
    source: "registry",
    integrity: INTEGRITY,
    ...(resolved === undefined ? {} : { resolved }),
    location: { file: "package-lock.json", line: 7 },
    ...extra,
  };
}

function tampering(pkg: LockedPackage, allowedHosts = DEFAULT_CONFIG.allowedHosts): Finding[] {
  const context: CheckContext = { packages: [pkg], config: { ...DEFAULT_CONFIG, allowedHosts } };
  return createLockfileIntegrityCheck()(context);
}

test("a registry tarball URL must name exactly the entry's package, under the registry's own base path", () => {
  const wrong: Array<[string, string, string, string[]?]> = [
    // Another package's tarball: a scope in front of the right name.
    ["lodash", "4.17.21", "https://registry.npmjs.org/@evil/lodash/-/lodash-4.17.21.tgz"],
    ["lodash", "4.17.21", "https://registry.npmjs.org/%40evil%2flodash/-/lodash-4.17.21.tgz"],
    // npm and its public mirrors serve from the root, never under a prefix.
    ["lodash", "4.17.21", "https://registry.npmjs.org/evil/lodash/-/lodash-4.17.21.tgz"],
    // A private base path may not itself look like a package path.
    ["lodash", "4.17.21", "https://npm.acme.internal/npm/@evil/lodash/-/lodash-4.17.21.tgz", ["npm.acme.internal"]],
    ["lodash", "4.17.21", "https://npm.acme.internal/evil/-/lodash/-/lodash-4.17.21.tgz", ["npm.acme.internal"]],
    ["lodash", "4.17.21", "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"],
  ];
  for (const [name, version, url, hosts] of wrong) {
    const findings = tampering(registryPackage(name, version, url), hosts);
    assert.deepEqual(
      findings.map((f) => f.severity),
      ["critical"],
      url,
    );
  }
  const right: Array<[string, string, string, string[]?]> = [
    ["lodash", "4.17.21", "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"],
    ["@babel/core", "7.1.0", "https://registry.yarnpkg.com/@babel/core/-/core-7.1.0.tgz"],
    ["@babel/core", "7.1.0", "https://registry.npmjs.org/@babel%2fcore/-/core-7.1.0.tgz"],
    ["lodash", "4.17.21", "https://registry.npmmirror.com/lodash/-/lodash-4.17.21.tgz"],
    ["lodash", "4.17.21", "https://acme.jfrog.io/artifactory/api/npm/npm-remote/lodash/-/lodash-4.17.21.tgz", ["acme.jfrog.io"]],
    ["@acme/utils", "1.0.0", "https://acme.jfrog.io/artifactory/api/npm/npm-remote/@acme/utils/-/utils-1.0.0.tgz", ["acme.jfrog.io"]],
    ["lodash", "4.17.21", "https://nexus.acme.internal/repository/npm-group/lodash/-/lodash-4.17.21.tgz", ["nexus.acme.internal"]],
  ];
  for (const [name, version, url, hosts] of right) assert.deepEqual(tampering(registryPackage(name, version, url), hosts), [], url);
});

test("a malformed percent-encoding in a resolved URL is a finding, not a crash", () => {
  const findings = tampering(registryPackage("foo", "1.0.0", "https://registry.npmjs.org/fo%E0o/-/foo-1.0.0.tgz"));
  assert.deepEqual(
    findings.map((f) => [f.checkId, f.severity]),
    [["lockfile-tampering", "high"]],
  );
  assert.match(findings[0]?.message ?? "", /percent-encoding/);
});

test("a bundled dependency is not flagged for the integrity npm never writes for it", () => {
  const inner: LockedPackage = {
    name: "inner",
    version: "2.0.0",
    source: "registry",
    bundled: true,
    installPath: "node_modules/parent/node_modules/inner",
    location: { file: "package-lock.json", line: 12 },
  };
  assert.deepEqual(tampering(inner), []);
});

test("findings about a nested copy name its install path", () => {
  const nested = registryPackage("lodash", "4.17.21", "http://evil.example/lodash-4.17.21.tgz", {
    installPath: "node_modules/foo/node_modules/lodash",
  });
  const findings = tampering(nested);
  assert.ok(findings.length > 0);
  for (const f of findings) assert.match(f.message, /^at node_modules\/foo\/node_modules\/lodash: /);
  const topLevel = registryPackage("lodash", "4.17.21", "http://evil.example/lodash-4.17.21.tgz", { installPath: "node_modules/lodash" });
  for (const f of tampering(topLevel)) assert.doesNotMatch(f.message, /^at /);
});

test("every default allowed host, and every public mirror, counts as a public registry", () => {
  for (const host of DEFAULT_CONFIG.allowedHosts) assert.ok(PUBLIC_REGISTRY_HOSTS.includes(host), host);
  const check = createDependencyConfusionCheck();
  const config = { ...DEFAULT_CONFIG, internalScopes: ["@acme"] };
  for (const host of PUBLIC_REGISTRY_HOSTS) {
    const pkg = registryPackage("@acme/utils", "1.0.0", `https://${host}/@acme/utils/-/utils-1.0.0.tgz`);
    assert.deepEqual(
      check({ packages: [pkg], config }).map((f) => f.severity),
      ["critical"],
      host,
    );
  }
});

test(`scope mappings: npm's files as registry.ts reads them (project over user, \${VAR}), .yarnrc.yml npmScopes with or without @`, () => {
  const home = tempDir({ ".npmrc": "registry=https://mirror.example/\n@acme:registry=https://old.example/\n" });
  const dir = tempDir({ ".npmrc": `@acme:registry=\${ACME_REGISTRY}\n@corp:registry=\${CORP_REGISTRY}\n` });
  const env = { npm_config_globalconfig: join(home, "no-global-npmrc"), ACME_REGISTRY: "https://npm.acme.internal" };
  const npm = npmrcMapping(readNpmrcConfig(dir, { home, env }));
  assert.equal(mappedRegistry(npm, "@acme/utils"), "https://npm.acme.internal/");
  assert.equal(mappedRegistry(npm, "lodash"), "https://mirror.example/");
  assert.equal(mappedRegistry(npm, "@other/x"), "https://mirror.example/");
  assert.equal(
    mappedRegistry(npm, "@corp/x"),
    `\${CORP_REGISTRY}`,
    "an unset variable stays as written, as in npm: never the default registry",
  );
  const yarn = yarnrcMapping([
    'npmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.internal"\n  "@corp":\n    npmRegistryServer: https://corp.example\n',
  ]);
  assert.equal(mappedRegistry(yarn, "@acme/utils"), "https://npm.acme.internal");
  assert.equal(mappedRegistry(yarn, "@corp/x"), "https://corp.example");
  assert.equal(mappedRegistry(yarn, "lodash"), undefined);
  assert.equal(mappedRegistry(yarnrcMapping(["npmScopes: [not: valid"]), "@acme/x"), undefined);
});

const BERRY_LOCK = `__metadata:
  version: 8
  cacheKey: 10c0

"@acme/utils@npm:^1.0.0":
  version: 1.0.0
  resolution: "@acme/utils@npm:1.0.0"
  checksum: 10c0/abcdef
  languageName: node
  linkType: hard
`;

const NPM_LOCK_NO_RESOLVED = `${JSON.stringify(
  { lockfileVersion: 3, packages: { "": { name: "app" }, "node_modules/@acme/utils": { version: "1.0.0", integrity: INTEGRITY } } },
  null,
  2,
)}\n`;

const INTERNAL = JSON.stringify({ internalScopes: ["@acme"], allowedHosts: ["npm.acme.internal"] });

async function confusion(
  files: Record<string, string>,
  homeFiles: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<Finding[]> {
  const home = tempDir(homeFiles);
  const isolated = { npm_config_globalconfig: join(home, "no-global-npmrc"), ...env };
  const report = await audit({ dir: tempDir(files), tarballs: false, metadata: false, home, env: isolated });
  return report.findings.filter((f) => f.checkId === "dependency-confusion");
}

test("dependency confusion, no host in the lockfile: the project's scope mapping decides", async () => {
  // Mapped to the private registry: not confusion.
  assert.deepEqual(
    await confusion({
      "yarn.lock": BERRY_LOCK,
      ".yarnrc.yml": "npmScopes:\n  acme:\n    npmRegistryServer: https://npm.acme.internal\n",
      ".parapet-audit.json": INTERNAL,
    }),
    [],
  );
  assert.deepEqual(
    await confusion({
      "package-lock.json": NPM_LOCK_NO_RESOLVED,
      ".npmrc": "@acme:registry=https://npm.acme.internal/\n",
      ".parapet-audit.json": INTERNAL,
    }),
    [],
  );
  assert.deepEqual(
    await confusion(
      { "package-lock.json": NPM_LOCK_NO_RESOLVED, ".parapet-audit.json": INTERNAL },
      { ".npmrc": "@acme:registry=https://npm.acme.internal/\n" },
    ),
    [],
    "the user's ~/.npmrc counts too",
  );

  // Not mapped, mapped to a public registry, or mapped only where this package manager does not look: confusion.
  const unmapped = await confusion({ "package-lock.json": NPM_LOCK_NO_RESOLVED, ".parapet-audit.json": INTERNAL });
  assert.deepEqual(
    unmapped.map((f) => f.severity),
    ["critical"],
  );
  assert.match(unmapped[0]?.message ?? "", /"@acme:registry=https:\/\/npm\.acme\.internal\/" in \.npmrc/);
  assert.match(unmapped[0]?.message ?? "", /npmScopes\.acme\.npmRegistryServer/);
  const toPublic = await confusion({
    "package-lock.json": NPM_LOCK_NO_RESOLVED,
    ".npmrc": "@acme:registry=https://registry.npmjs.org/\n",
    ".parapet-audit.json": INTERNAL,
  });
  assert.deepEqual(
    toPublic.map((f) => f.severity),
    ["critical"],
  );
  const berryWithNpmrc = await confusion({
    "yarn.lock": BERRY_LOCK,
    ".npmrc": "@acme:registry=https://npm.acme.internal/\n",
    ".parapet-audit.json": INTERNAL,
  });
  assert.deepEqual(
    berryWithNpmrc.map((f) => f.severity),
    ["critical"],
    "yarn berry ignores .npmrc",
  );
});

test(`dependency confusion reads .npmrc as the fetches do: \${VAR} expanded, npm_config_* included`, async () => {
  const viaVariable = {
    "package-lock.json": NPM_LOCK_NO_RESOLVED,
    ".npmrc": `@acme:registry=\${ACME_REGISTRY}\n`,
    ".parapet-audit.json": INTERNAL,
  };
  assert.deepEqual(await confusion(viaVariable, {}, { ACME_REGISTRY: "https://npm.acme.internal/" }), []);
  assert.deepEqual(
    (await confusion(viaVariable, {}, { ACME_REGISTRY: "https://registry.npmjs.org/" })).map((f) => f.severity),
    ["critical"],
    "the variable points the scope at the public registry",
  );
  assert.deepEqual(await confusion(viaVariable), [], "unset: npm keeps the text and fails, it does not fall back to the public registry");
  const fromEnvironment = { "package-lock.json": NPM_LOCK_NO_RESOLVED, ".parapet-audit.json": INTERNAL };
  assert.deepEqual(await confusion(fromEnvironment, {}, { "npm_config_@acme:registry": "https://npm.acme.internal/" }), []);
});

function configError(raw: unknown): string {
  try {
    parseConfig(".parapet-audit.json", raw);
  } catch (error) {
    assert.ok(error instanceof AuditError && error.code === "PARAPET_E_AUDIT_CONFIG");
    return error.message;
  }
  assert.fail("expected a config error");
}

test("ignore rules: unknown keys and wrong types are errors that name the key", () => {
  const rule = { check: "deprecated", package: "request", reason: "dev-only" };
  assert.match(
    configError({ ignore: [{ ...rule, versoin: "1.0.0" }] }),
    /ignore\[0\] has unknown key "versoin" \(allowed: check, package, version, reason\)/,
  );
  assert.match(configError({ ignore: [{ ...rule, version: 1 }] }), /ignore\[0\]\.version must be a non-empty string \(got 1\)/);
  assert.match(configError({ ignore: [rule, { ...rule, package: ["a"] }] }), /ignore\[1\]\.package must be a non-empty string/);
  assert.match(configError({ ignore: [{ check: "deprecated", package: "request" }] }), /ignore\[0\]\.reason .*it is missing/);
  assert.match(configError({ ignore: ["deprecated"] }), /ignore\[0\] must be \{/);
  assert.deepEqual(parseConfig("c.json", { ignore: [{ ...rule, version: "2.88.2" }] }).ignore, [{ ...rule, version: "2.88.2" }]);
  assert.deepEqual(parseConfig("c.json", { ignore: [rule] }).ignore, [rule]);
});
