import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { audit } from "../src/audit.js";
import { AuditError } from "../src/errors.js";
import { parseLockfile } from "../src/lockfiles/index.js";
import { parseKey } from "../src/lockfiles/pnpm.js";
import type { LockedPackage } from "../src/model.js";

// Lockfiles written by the package managers themselves (see fixtures/README.md).
const FIXTURES = new URL("../../test/fixtures/", import.meta.url);
const fixtureDir = (path: string) => fileURLToPath(new URL(path, FIXTURES));
const readFixture = (path: string) => readFileSync(new URL(path, FIXTURES), "utf8");
// The developer's own ~/.npmrc must not change what these tests see.
const EMPTY_HOME = mkdtempSync(join(tmpdir(), "parapet-audit-home-"));
after(() => rmSync(EMPTY_HOME, { recursive: true, force: true }));

const ids = (packages: readonly LockedPackage[]) => packages.map((p) => `${p.name}@${p.version}`).sort();

for (const [folder, major] of [
  ["pnpm-v5", "5.4"],
  ["pnpm-v6", "6.0"],
  ["pnpm-v9", "9.0"],
] as const) {
  test(`pnpm ${major} (real lockfile): names with "_" are read, peer suffixes are dropped`, () => {
    const lock = parseLockfile("pnpm-lock.yaml", readFixture(`${folder}/pnpm-lock.yaml`));
    assert.equal(lock.formatVersion, major);
    const found = ids(lock.packages);
    for (const id of ["string_decoder@1.3.0", "safe-buffer@5.2.1", "react-dom@18.2.0", "@isaacs/cliui@8.0.2", "string-width@4.2.3"])
      assert.ok(found.includes(id), `${id} in ${found.join(", ")}`);
    assert.ok(
      lock.packages.every((p) => p.source === "registry" && /^\d+\.\d+\.\d+$/.test(p.version)),
      "every version is a plain version",
    );
  });
}

test("pnpm keys: only a v5 underscore after a valid version starts a peer suffix", () => {
  assert.deepEqual(parseKey("/string_decoder/1.3.0", 5), { name: "string_decoder", version: "1.3.0" });
  assert.deepEqual(parseKey("/react-dom/18.2.0_react@18.2.0", 5), { name: "react-dom", version: "18.2.0" });
  assert.deepEqual(parseKey("/@scope/a_b/1.0.0-rc.1_@types+react@18.0.0", 5), { name: "@scope/a_b", version: "1.0.0-rc.1" });
  assert.deepEqual(parseKey("/string_decoder@1.3.0", 6), { name: "string_decoder", version: "1.3.0" });
  assert.deepEqual(parseKey("/a_b@1.0.0(c_d@2.0.0)", 6), { name: "a_b", version: "1.0.0" });
  assert.deepEqual(parseKey("string_decoder@1.3.0", 9), { name: "string_decoder", version: "1.3.0" });
});

test("a pnpm lockfile whose packages are not a mapping is an error, not a clean audit of nothing", () => {
  for (const packages of ["[a, b]", "5", "'x'"])
    assert.throws(
      () => parseLockfile("pnpm-lock.yaml", `lockfileVersion: '9.0'\n\npackages: ${packages}\n`),
      /: pnpm-lock\.yaml:3: "packages" is not a mapping/,
      packages,
    );
  // An empty `packages:` is a project without dependencies.
  assert.deepEqual(parseLockfile("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n").packages, []);
});

test("an npm v1 lockfile whose dependencies are not an object is an error, not a clean audit of nothing", () => {
  assert.throws(
    () => parseLockfile("package-lock.json", '{"lockfileVersion": 1, "dependencies": [1, 2]}'),
    /package-lock\.json: the "dependencies" of a v1 lockfile is not an object/,
  );
  assert.deepEqual(parseLockfile("package-lock.json", '{"lockfileVersion": 1}').packages, []);
});

test("a broken pnpm lockfile is answered with a pnpm command, not an npm one", () => {
  assert.throws(
    () => parseLockfile("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  noversion:\n    resolution: {integrity: sha512-x}\n"),
    (error: unknown) =>
      error instanceof AuditError &&
      /^pnpm-lock\.yaml:3: cannot read package key "noversion"/.test(error.message) &&
      error.message.includes("pnpm install --lockfile-only") &&
      !/\bnpm install/.test(error.message),
  );
});

test("yarn classic aliases (real lockfile) are read as the package they install", async () => {
  const lock = parseLockfile("yarn.lock", readFixture("yarn-classic-alias/yarn.lock"));
  const names = lock.packages.map((p) => p.name);
  assert.ok(!names.some((n) => n.endsWith("-cjs")), names.join(", "));
  assert.ok(ids(lock.packages).includes("string-width@4.2.3"));
  assert.ok(ids(lock.packages).includes("wrap-ansi@7.0.0"));
  const report = await audit({ dir: fixtureDir("yarn-classic-alias/"), tarballs: false, metadata: false, home: EMPTY_HOME });
  assert.deepEqual(
    report.findings.filter((f) => f.severity === "critical" || f.checkId === "lockfile-tampering"),
    [],
  );
});

test("npm v1 aliases (real lockfile, and a scoped one) are read as the package they install", async () => {
  const lock = parseLockfile("package-lock.json", readFixture("npm-v1-alias/package-lock.json"));
  const found = ids(lock.packages);
  for (const id of ["string-width@4.2.3", "strip-ansi@6.0.1", "wrap-ansi@7.0.0"]) assert.ok(found.includes(id), id);
  assert.ok(!found.some((id) => id.includes("npm:")), found.join(", "));
  const cjs = lock.packages.find((p) => p.installPath === "node_modules/string-width-cjs");
  assert.deepEqual([cjs?.name, cjs?.version], ["string-width", "4.2.3"]);
  const report = await audit({ dir: fixtureDir("npm-v1-alias/"), tarballs: false, metadata: false, home: EMPTY_HOME });
  assert.deepEqual(
    report.findings.filter((f) => f.severity === "critical" || f.checkId === "lockfile-tampering"),
    [],
  );

  const scoped = parseLockfile(
    "package-lock.json",
    JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        "my-types": {
          version: "npm:@types/node@20.0.0",
          resolved: "https://registry.npmjs.org/@types/node/-/node-20.0.0.tgz",
          integrity: "sha512-x",
        },
      },
    }),
  );
  assert.deepEqual(
    scoped.packages.map((p) => [p.name, p.version, p.source]),
    [["@types/node", "20.0.0", "registry"]],
  );
});

test("npm v1 nested copies keep their install path", () => {
  const lock = parseLockfile(
    "package-lock.json",
    JSON.stringify({
      lockfileVersion: 1,
      dependencies: { a: { version: "1.0.0", dependencies: { b: { version: "2.0.0", bundled: true } } }, b: { version: "1.0.0" } },
    }),
  );
  assert.deepEqual(lock.packages.map((p) => [p.installPath, p.name, p.version, p.bundled === true]).sort(), [
    ["node_modules/a", "a", "1.0.0", false],
    ["node_modules/a/node_modules/b", "b", "2.0.0", true],
    ["node_modules/b", "b", "1.0.0", false],
  ]);
});

test("a file: folder dependency (real lockfile) is a package, with its install script and folder; a workspace is not", async () => {
  const lock = parseLockfile("package-lock.json", readFixture("npm-file-dep/app/package-lock.json"));
  assert.deepEqual(
    lock.packages.map((p) => [p.name, p.version, p.source, p.installPath, p.hasInstallScript]),
    [["localdep", "1.0.0", "file", "../localdep", true]],
  );
  const report = await audit({ dir: fixtureDir("npm-file-dep/app/"), tarballs: false, metadata: false, home: EMPTY_HOME });
  assert.equal(report.packages, 1);
  const scripts = report.findings.filter((f) => f.checkId === "install-script");
  assert.deepEqual(
    scripts.map((f) => [f.packageName, f.severity]),
    [["localdep", "medium"]],
  );
  assert.match(scripts[0]?.message ?? "", /\.\.\/localdep/);
  assert.equal(scripts[0]?.location.line, 17);
});

test("a yarn classic file: folder dependency is a local package, not a registry one without integrity", () => {
  // Exactly what yarn 1.22 writes for "localdep": "file:../localdep": no resolved, no integrity.
  const lock = parseLockfile(
    "yarn.lock",
    '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n"localdep@file:../localdep":\n  version "1.0.0"\n',
  );
  assert.deepEqual(
    lock.packages.map((p) => [p.name, p.version, p.source, p.resolved, p.installPath]),
    [["localdep", "1.0.0", "file", "file:../localdep", "../localdep"]],
  );
});
