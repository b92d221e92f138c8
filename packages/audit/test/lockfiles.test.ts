import assert from "node:assert/strict";
import { test } from "node:test";
import { AuditError } from "../src/errors.js";
import { parseLockfile } from "../src/lockfiles/index.js";

const V3 = `{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app" },
    "node_modules/ms": {
      "version": "2.1.3",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
      "integrity": "sha512-abc"
    },
    "node_modules/evil": {
      "version": "1.0.0",
      "resolved": "http://203.0.113.9/evil.tgz",
      "hasInstallScript": true
    }
  }
}`;

test("npm v3: packages, sources, line numbers", () => {
  const lock = parseLockfile("package-lock.json", V3);
  assert.equal(lock.packages.length, 2);
  const [ms, evil] = lock.packages;
  assert.deepEqual([ms?.name, ms?.version, ms?.source, ms?.location.line], ["ms", "2.1.3", "registry", 6]);
  assert.deepEqual([evil?.source, evil?.hasInstallScript, evil?.location.line], ["tarball-url", true, 11]);
});

test("npm v1: nested dependencies and git specs", () => {
  const lock = parseLockfile(
    "package-lock.json",
    JSON.stringify({
      lockfileVersion: 1,
      dependencies: { a: { version: "1.0.0", integrity: "sha1-x", dependencies: { b: { version: "github:u/b#abc" } } } },
    }),
  );
  assert.deepEqual(
    lock.packages.map((p) => [p.name, p.source]),
    [
      ["a", "registry"],
      ["b", "git"],
    ],
  );
});

test("pnpm v6 and v9 keys", () => {
  const v6 = parseLockfile(
    "pnpm-lock.yaml",
    "lockfileVersion: '6.0'\npackages:\n  /@babel/core@7.1.0(react@18.0.0):\n    resolution: {integrity: sha512-x}\n    requiresBuild: true\n",
  );
  assert.deepEqual(
    [v6.packages[0]?.name, v6.packages[0]?.version, v6.packages[0]?.hasInstallScript, v6.packages[0]?.location.line],
    ["@babel/core", "7.1.0", true, 3],
  );
  const v9 = parseLockfile(
    "pnpm-lock.yaml",
    "lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-y}\n  x@1.0.0:\n    resolution: {tarball: https://example.invalid/x.tgz}\n",
  );
  assert.deepEqual(
    v9.packages.map((p) => [p.name, p.version, p.source]),
    [
      ["ms", "2.1.3", "registry"],
      ["x", "1.0.0", "tarball-url"],
    ],
  );
});

test("yarn classic and berry", () => {
  const classic = parseLockfile(
    "yarn.lock",
    `# yarn lockfile v1\n\nms@^2.1.0, ms@^2.1.3:\n  version "2.1.3"\n  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#abc"\n  integrity sha512-z\n`,
  );
  assert.deepEqual(
    [classic.format, classic.packages.length, classic.packages[0]?.name, classic.packages[0]?.location.line],
    ["yarn-classic", 1, "ms", 3],
  );
  const berry = parseLockfile(
    "yarn.lock",
    `__metadata:\n  version: 8\n\n"ms@npm:^2.1.3":\n  version: 2.1.3\n  resolution: "ms@npm:2.1.3"\n  checksum: 10c0/abc\n\n"app@workspace:.":\n  version: 0.0.0\n  resolution: "app@workspace:."\n`,
  );
  assert.deepEqual(
    [berry.format, berry.packages.length, berry.packages[0]?.checksum, berry.packages[0]?.location.line],
    ["yarn-berry", 1, "10c0/abc", 4],
  );
});

function assertLockfileError(file: string, text: string, pattern: RegExp) {
  assert.throws(
    () => parseLockfile(file, text),
    (error: unknown) => error instanceof AuditError && pattern.test(error.message),
  );
}

test("broken lockfiles give an error naming the file and line", () => {
  assertLockfileError(
    "package-lock.json",
    '{\n  "lockfileVersion": 3,\n  "packages": {\n    oops\n}',
    /^package-lock\.json:4: not valid JSON/,
  );
  assertLockfileError("package-lock.json", '{"lockfileVersion": 99}', /unsupported lockfileVersion 99/);
  assertLockfileError("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a: [unclosed\n", /^pnpm-lock\.yaml:\d+: not valid YAML/);
  assertLockfileError("pnpm-lock.yaml", "lockfileVersion: '3.0'\n", /unsupported pnpm lockfileVersion/);
  assertLockfileError("yarn.lock", 'a@^1:\n  version "1"\n}}}\n', /^yarn\.lock(:\d+)?: not a valid yarn\.lock/);
  assertLockfileError("bun.lockb", "x", /unknown lockfile type/);
});
