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
  assertLockfileError("yarn.lock", 'a@^1:\n  version "1"\n}}}\n', /^yarn\.lock:3: not a valid yarn\.lock/);
  assertLockfileError("bun.lockb", "x", /unknown lockfile type/);
});

const YARN_ENTRY = '"a@^1":\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#0123"\n';

test("a yarn.lock cut short is answered at once, at the right line: an open string or a last comment without a newline", () => {
  // @yarnpkg/lockfile reads such a string or comment past the end of the text, for ~10 s and ~1 GB, before failing.
  const head = `# yarn lockfile v1\n\n\n${YARN_ENTRY}\n`;
  const cases: [text: string, expected: RegExp | number][] = [
    [`${head}"b@^2":\n  version "2.0`, /^yarn\.lock:9: not a valid yarn\.lock \(Invalid value type\)/],
    [`${head}"b@^2`, /^yarn\.lock:8: not a valid yarn\.lock \(Unknown token: invalid\)/],
    [`${head}# the last line`, 1],
    [`${head}"b@^2":\n  version "2.0.0"\n# no newline at the end`, 2],
  ];
  for (const [text, expected] of cases) {
    const started = performance.now();
    if (typeof expected === "number") assert.equal(parseLockfile("yarn.lock", text).packages.length, expected);
    else assertLockfileError("yarn.lock", text, expected);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 500, `${JSON.stringify(text.slice(-20))} took ${elapsed.toFixed(0)} ms`);
  }
});

test("a yarn.lock error names the file's line however many blank lines come before it (the parser counts two breaks as one)", () => {
  for (const blank of ["\n", "\r\n"]) {
    const text = ["# yarn lockfile v1", "", "", YARN_ENTRY, "", '"b@^2":', "  version: 2 :", ""].join(blank);
    const line = text.split("\n").findIndex((l) => l.startsWith("  version: 2")) + 1;
    assertLockfileError("yarn.lock", text, new RegExp(`^yarn\\.lock:${line}: not a valid yarn\\.lock \\(Unknown token: number\\)`));
  }
});

test("a large yarn.lock is read in one pass: every entry located at its header line, multi-descriptor headers too", () => {
  // Searching the text once per entry made 10,000 entries take 40 s (classic) and 18 s (berry).
  const entries = 20_000;
  const classic = `# yarn lockfile v1\n\n${Array.from(
    { length: entries },
    (_, i) => `"p${i}@^1", p${i}@~1.0:\n  version "1.0.${i}"\n  resolved "https://registry.yarnpkg.com/p${i}/-/p${i}-1.0.${i}.tgz#abc"\n`,
  ).join("\n")}`;
  const berry = `__metadata:\n  version: 6\n\n${Array.from(
    { length: entries },
    (_, i) => `"p${i}@npm:^1, p${i}@npm:~1.0":\n  version: 1.0.${i}\n  resolution: "p${i}@npm:1.0.${i}"\n`,
  ).join("\n")}`;
  for (const [text, firstHeader] of [
    [classic, 3],
    [berry, 4],
  ] as const) {
    const started = performance.now();
    const lock = parseLockfile("yarn.lock", text);
    const elapsed = performance.now() - started;
    assert.equal(lock.packages.length, entries);
    // Entries are four lines apart (header, two fields, a blank line).
    for (const p of lock.packages) assert.equal(p.location.line, firstHeader + 4 * Number(p.name.slice(1)), p.name);
    assert.ok(elapsed < 5_000, `${lock.format}: ${entries} entries in ${elapsed.toFixed(0)} ms`);
  }
});
