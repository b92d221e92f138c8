import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { audit } from "../src/audit.js";
import { DEFAULT_CONFIG } from "../src/config.js";
import { summarizePackument } from "../src/metadata/packument.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { lockfileFor, sriOf, startTestRegistry } from "./registry-server.js";
import { buildTarball, manifest } from "./tarball-fixture.js";

const NOW = Date.parse("2025-09-08T16:00:00Z");
const DAY = 86_400_000;

test("release age, deprecation, publisher change and unpublished versions, read over real HTTP", async () => {
  const tarball = async (name: string, version: string) =>
    buildTarball({ "package.json": JSON.stringify({ name, version }), "index.js": "module.exports = 1;\n" });
  const v = {
    fresh: await tarball("fresh-lib", "1.1.0"),
    takeover: await tarball("taken-over", "3.0.1"),
    old: await tarball("old-lib", "0.9.0"),
    gone: await tarball("gone-lib", "1.0.1"),
  };
  const registry = await startTestRegistry([
    {
      name: "fresh-lib",
      version: "1.0.0",
      tarball: await tarball("fresh-lib", "1.0.0"),
      publishedAt: new Date(NOW - 400 * DAY),
      publisher: "ann",
    },
    { name: "fresh-lib", version: "1.1.0", tarball: v.fresh, publishedAt: new Date(NOW - 5 * 3600_000), publisher: "ann" },
    {
      name: "taken-over",
      version: "3.0.0",
      tarball: await tarball("taken-over", "3.0.0"),
      publishedAt: new Date(NOW - 90 * DAY),
      publisher: "dominic",
    },
    { name: "taken-over", version: "3.0.1", tarball: v.takeover, publishedAt: new Date(NOW - 3600_000), publisher: "right9ctrl" },
    {
      name: "old-lib",
      version: "0.9.0",
      tarball: v.old,
      publishedAt: new Date(NOW - 900 * DAY),
      publisher: "ann",
      deprecated: "no longer maintained",
    },
    {
      name: "gone-lib",
      version: "1.0.0",
      tarball: await tarball("gone-lib", "1.0.0"),
      publishedAt: new Date(NOW - 50 * DAY),
      publisher: "ann",
    },
  ]);
  const dir = mkdtempSync(join(tmpdir(), "parapet-audit-meta-"));
  try {
    writeFileSync(
      join(dir, "package-lock.json"),
      lockfileFor([
        { name: "fresh-lib", version: "1.1.0", integrity: sriOf(v.fresh) },
        { name: "taken-over", version: "3.0.1", integrity: sriOf(v.takeover) },
        { name: "old-lib", version: "0.9.0", integrity: sriOf(v.old) },
        { name: "gone-lib", version: "1.0.1", integrity: sriOf(v.gone) },
      ]),
    );
    const cache = createTarballCache(join(dir, "cache"));
    const report = await audit({ dir, config: DEFAULT_CONFIG, registry: registry.url, cache, tarballs: false, now: () => NOW });
    const got = report.findings.map((f) => `${f.checkId} ${f.severity} ${f.packageName}`).sort();
    assert.deepEqual(got, [
      "deprecated low old-lib",
      "publisher-change high taken-over",
      "release-age medium fresh-lib",
      "release-age medium taken-over",
      "version-unpublished high gone-lib",
    ]);
    assert.match(report.findings.find((f) => f.checkId === "release-age")?.message ?? "", /published 5 hours ago/);

    // A second run within the TTL is served from the cache: no new registry requests.
    const before = registry.requests.length;
    await audit({ dir, config: DEFAULT_CONFIG, registry: registry.url, cache, tarballs: false, now: () => NOW + 3600_000 });
    assert.equal(registry.requests.length, before);
    // minReleaseAgeDays 0 disables the age policy.
    const relaxed = await audit({
      dir,
      config: { ...DEFAULT_CONFIG, minReleaseAgeDays: 0 },
      registry: registry.url,
      cache,
      tarballs: false,
      now: () => NOW,
    });
    assert.equal(relaxed.findings.filter((f) => f.checkId === "release-age").length, 0);
    assert.equal(relaxed.findings.find((f) => f.checkId === "publisher-change")?.severity, "medium");
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a registry failure becomes an info finding, not a crash", async () => {
  // Nothing listens there any more: every request is refused. (A 404 is a finding of its own: see hunt-registry.test.ts.)
  const registry = await startTestRegistry([]);
  await registry.close();
  const dir = mkdtempSync(join(tmpdir(), "parapet-audit-meta-"));
  try {
    const bytes = await buildTarball({ "package.json": manifest("private-thing") });
    writeFileSync(join(dir, "package-lock.json"), lockfileFor([{ name: "private-thing", version: "1.0.0", integrity: sriOf(bytes) }]));
    const report = await audit({
      dir,
      config: DEFAULT_CONFIG,
      registry: registry.url,
      cache: createTarballCache(join(dir, "cache")),
      tarballs: false,
      now: () => NOW,
    });
    assert.deepEqual(
      report.findings.map((f) => [f.checkId, f.severity]),
      [["metadata-unavailable", "info"]],
    );
    assert.match(report.findings[0]?.message ?? "", /ECONNREFUSED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("summarizePackument rejects what is not a packument and tolerates missing fields", () => {
  assert.throws(() => summarizePackument({ error: "not found" }), /not a packument/);
  assert.throws(() => summarizePackument("<html>"), /not a packument/);
  const summary = summarizePackument({ versions: { "1.0.0": {} }, time: { "1.0.0": "not a date" } });
  assert.deepEqual(summary, { published: {}, deprecated: {}, publisher: {}, versions: ["1.0.0"] });
});
