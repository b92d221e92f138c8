import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { LockedPackage } from "../src/model.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { extractTarball } from "../src/tarball/extract.js";
import { scanTarballs } from "../src/tarball/scan.js";
import { sriOf, startTestRegistry } from "./registry-server.js";
import { buildFilledTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

const MB = 1024 * 1024;
const A = 0x61;

// A published tarball is a stranger's input: these archives are what a package could publish to stall the audit
// (minutes of inflating on the event loop, gigabytes of memory) rather than to be read.

test("past maxInflatedBytes the archive is not inflated further: what was read is kept, the rest never reached", async () => {
  const bytes = await buildFilledTarball([
    { path: "index.js", size: 4096, fill: A },
    { path: "data.bin", size: 64 * MB },
    { path: "late.js", size: 100, fill: A },
  ]);
  const extracted = await extractTarball(bytes, { maxInflatedBytes: 16 * MB });
  assert.equal(extracted.truncated, true);
  assert.deepEqual(
    extracted.files.map((f) => [f.path, f.text.length, f.truncated]),
    [["index.js", 4096, false]],
  );
  // Without the cap the same archive is read to its end.
  const whole = await extractTarball(bytes);
  assert.equal(whole.truncated, false);
  assert.deepEqual(
    whole.files.map((f) => f.path),
    ["index.js", "late.js"],
  );
});

test("a code file the cap cuts through keeps the part that was read, marked truncated", async () => {
  const bytes = await buildFilledTarball([{ path: "big.js", size: 32 * MB, fill: A }]);
  const extracted = await extractTarball(bytes, { maxInflatedBytes: 8 * MB });
  assert.equal(extracted.truncated, true);
  const big = extracted.files[0];
  assert.equal(big?.path, "big.js");
  assert.equal(big.truncated, true);
  assert.equal(big.text.length, 2 * MB, "the head was kept");
});

test("an archive of 300,000 entries stops after maxEntries; unsafe paths are kept to a sample", async () => {
  const bytes = await buildFilledTarball(Array.from({ length: 300_000 }, (_, i) => ({ path: `../escape-${i}.js`, size: 0 })));
  const started = performance.now();
  const extracted = await extractTarball(bytes);
  const elapsed = performance.now() - started;
  assert.equal(extracted.truncated, true);
  assert.equal(extracted.unsafePaths.length, 100);
  assert.equal(extracted.unsafePaths[0], "package/../escape-0.js");
  assert.ok(elapsed < 10_000, `read in ${elapsed.toFixed(0)} ms`);
});

test("a gigabyte decompression bomb from the registry is a partly-analyzed finding, not a stalled audit", async () => {
  // 1 GiB of zeros is ~1 MB of gzip; a code file after it must never be reached (the default cap is 512 MB unpacked).
  const bomb = await buildFilledTarball([
    { path: "package.json", size: 2 },
    { path: "zeros.bin", size: 1024 * MB },
    { path: "after.js", size: 10, fill: A },
  ]);
  const registry = await startTestRegistry([{ name: "bomb", version: "1.0.0", tarball: bomb, publishedAt: new Date() }]);
  try {
    const pkg: LockedPackage = {
      name: "bomb",
      version: "1.0.0",
      source: "registry",
      integrity: sriOf(bomb),
      location: { file: "package-lock.json", line: 5 },
    };
    const rssBefore = process.memoryUsage().rss;
    const scan = await scanTarballs([pkg], { registry: registry.url, cache: createTarballCache(join(tempDir(), "cache")) });
    const grown = process.memoryUsage().rss - rssBefore;
    assert.deepEqual(
      scan.findings.map((f) => [f.checkId, f.severity]),
      [["tarball-partly-analyzed", "medium"]],
    );
    assert.match(scan.findings[0]?.message ?? "", /512 MB unpacked/);
    assert.equal(scan.analyses.get("bomb@1.0.0")?.truncated, true);
    // Inflated bytes pass through, they are not held: the old parser kept ~1 GB per GB inflated.
    assert.ok(grown < 400 * MB, `memory grew by ${(grown / MB).toFixed(0)} MB`);
  } finally {
    await registry.close();
  }
});
