import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { collectPackuments } from "../src/metadata/collect.js";
import type { LockedPackage } from "../src/model.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { createHostCircuit } from "../src/tarball/circuit.js";
import { type FetchLike, fetchBytes } from "../src/tarball/fetch.js";
import { scanTarballs } from "../src/tarball/scan.js";
import { tempDir } from "./temp-dir.js";

/** A registry that accepts every request and never answers. */
async function startHangingServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer(() => {
    requests++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const packages: LockedPackage[] = Array.from({ length: 12 }, (_, i) => ({
  name: `pkg-${i}`,
  version: "1.0.0",
  source: "registry",
  integrity: `sha512-${"A".repeat(86)}==`,
  location: { file: "package-lock.json" },
}));

test("a registry that hangs costs one round of timeouts, is given up on, and is reported once", { timeout: 20_000 }, async () => {
  const registry = await startHangingServer();
  try {
    const circuit = createHostCircuit();
    const cache = createTarballCache(tempDir());
    const started = Date.now();
    const scan = await scanTarballs(packages, { registry: registry.url, cache, concurrency: 4, circuit, idleTimeoutMs: 300 });
    const tarballMs = Date.now() - started;
    assert.equal(scan.findings.length, packages.length);
    assert.ok(
      scan.findings.every((f) => f.checkId === "tarball-unreadable"),
      scan.findings.map((f) => f.message).join("\n"),
    );
    // 5 failures open the circuit; the 4 parallel downloads may each have one attempt in flight then.
    assert.ok(registry.requests() <= 5 + 4, `${registry.requests()} requests`);
    assert.ok(tarballMs < 5_000, `${tarballMs} ms`);
    assert.equal(scan.notices.length, 1);
    assert.match(scan.notices[0] ?? "", /127\.0\.0\.1:\d+ failed 5 times in a row/);

    // The metadata phase shares the circuit: no new request, and no second notice.
    const before = registry.requests();
    const meta = await collectPackuments(packages, { registry: registry.url, cache, now: Date.now, circuit, idleTimeoutMs: 300 });
    assert.equal(registry.requests(), before);
    assert.equal(meta.findings.length, packages.length);
    assert.match(meta.findings[0]?.message ?? "", /not requested, 127\.0\.0\.1:\d+ failed 5 times in a row/);
    assert.deepEqual(meta.notices, []);
  } finally {
    await registry.close();
  }
});

test("a timed-out request is tried twice at most", { timeout: 10_000 }, async () => {
  const registry = await startHangingServer();
  try {
    const started = Date.now();
    await assert.rejects(fetchBytes(`${registry.url}x`, { idleTimeoutMs: 200 }), /no answer for 0\.2 s \(after 2 attempts\)/);
    assert.equal(registry.requests(), 2);
    assert.ok(Date.now() - started < 2_000);
  } finally {
    await registry.close();
  }
});

test("a server that answers but then stalls mid-body times out too", { timeout: 10_000 }, async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-length": "1000" });
    res.write("partial");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    await assert.rejects(fetchBytes(url, { idleTimeoutMs: 200, retries: 0 }), /no data for 0\.2 s/);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test("a URL that cannot be parsed fails at once and is never retried", async () => {
  let calls = 0;
  const counting: FetchLike = (url, init) => {
    calls++;
    return fetch(url, init);
  };
  const started = Date.now();
  await assert.rejects(fetchBytes("registry.example/foo/-/foo-1.0.0.tgz", { fetch: counting }), /is not a valid URL/);
  // An unset variable in a scope's registry: new URL() would accept the second, and DNS be asked for "${host}".
  for (const url of [`\${ACME_REGISTRY}@acme/x`, `https://\${ACME_HOST}/@acme/x`])
    await assert.rejects(fetchBytes(url, { fetch: counting }), /\$\{ACME_\w+\} is not set, so the registry URL is incomplete/);
  await assert.rejects(fetchBytes("ftp://registry.example/foo", { fetch: counting }), /only http and https/);
  await assert.rejects(
    fetchBytes("https://user:hunter2@registry.example/foo", { fetch: counting }),
    (error: Error) => /credentials in a registry URL/.test(error.message) && !error.message.includes("hunter2"),
  );
  assert.equal(calls, 0);
  assert.ok(Date.now() - started < 200, "no backoff was slept");
});

test("a body over the size limit is refused while streaming, without a content-length", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200); // chunked: no content-length to refuse up front
    res.end(Buffer.alloc(64 * 1024));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    await assert.rejects(fetchBytes(url, { maxBytes: 1024 }), /body over the 1024-byte limit/);
  } finally {
    server.close();
  }
});
