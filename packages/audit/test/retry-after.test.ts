import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { audit } from "../src/audit.js";
import { DEFAULT_CONFIG } from "../src/config.js";
import { createTarballCache } from "../src/tarball/cache.js";
import { parseRetryAfter } from "../src/tarball/retry-after.js";
import { lockfileFor, sriOf } from "./registry-server.js";
import { runCli } from "./run-cli.js";
import { buildTarball, manifest } from "./tarball-fixture.js";
import { tempDir } from "./temp-dir.js";

/**
 * A registry that is busy says so: 429 Too Many Requests (RFC 6585) or 503 Service Unavailable, with Retry-After
 * (RFC 9110 §10.2.3: seconds, or an HTTP date) saying when to come back. Retrying sooner only earns another refusal.
 * The waits run on a clock of the test's own, which the registry reads too: no test here waits in real time.
 */

const DAY = 86_400_000;
const tarballs: Record<string, Uint8Array> = {};
let server: Server;
let registryUrl: string;
/** The test's clock (ms since epoch), advanced only by the run's waits. */
let clock = 0;
/** The waits the run asked for, in ms. */
let waits: number[] = [];
/** Requests per path. */
let requests = new Map<string, number>();
/** Until when (on the test's clock) the registry turns requests away, and how it says so; undefined: it serves. */
let busy:
  | { until: number; status: 429 | 503; retryAfter: () => string; paths?: (path: string) => boolean; firstRequestOnly?: boolean }
  | undefined;

before(async () => {
  for (const name of ["tiny-pad", "fixture-alpha", "fixture-omega", "fixture-gamma", "fixture-delta", "fixture-kappa"])
    tarballs[name] = await buildTarball({ "package.json": manifest(name), "index.js": "module.exports = 1;\n" });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const turnedAway = busy && clock < busy.until && (busy.paths?.(path) ?? true) && (!busy.firstRequestOnly || requests.get(path) === 1);
    if (busy && turnedAway) return void res.writeHead(busy.status, { "retry-after": busy.retryAfter() }).end();
    const tarball = /^\/([^/]+)\/-\//.exec(path)?.[1];
    if (tarball !== undefined && tarballs[tarball]) return void res.writeHead(200).end(tarballs[tarball]);
    const name = path.slice(1);
    if (!tarballs[name]) return void res.writeHead(404).end();
    const published = new Date(clock - 90 * DAY).toISOString();
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(
        JSON.stringify({ name, time: { "1.0.0": published }, versions: { "1.0.0": { name, version: "1.0.0", _npmUser: { name: "a" } } } }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  registryUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise((resolve) => server.close(resolve)));

function project(names: readonly string[]): string {
  return tempDir({
    "package.json": JSON.stringify({ name: "fixture-app", dependencies: Object.fromEntries(names.map((n) => [n, "1.0.0"])) }),
    "package-lock.json": lockfileFor(names.map((name) => ({ name, version: "1.0.0", integrity: sriOf(tarballs[name]!) }))),
  });
}

/** Parallel waits not ended yet. */
const sleepers: Array<() => void> = [];

/** audit() of `names` against the test registry, on the test's clock. */
function auditOnTestClock(names: readonly string[], options: { metadata?: boolean; parallel?: boolean } = {}) {
  clock = Date.parse("2025-06-01T12:00:00Z");
  waits = [];
  requests = new Map();
  return audit({
    dir: project(names),
    config: DEFAULT_CONFIG,
    registry: registryUrl,
    cache: createTarballCache(tempDir()),
    concurrency: options.parallel ? names.length : 1,
    env: {},
    home: tempDir(),
    now: () => clock,
    sleep: (ms) => {
      waits.push(ms);
      if (!options.parallel) {
        clock += ms;
        return Promise.resolve();
      }
      // Parallel waits of one length end together: each returns once every request is waiting, and the clock stands still.
      return new Promise<void>((resolve) => {
        sleepers.push(resolve);
        if (sleepers.length === names.length) for (const wake of sleepers.splice(0)) wake();
      });
    },
    ...(options.metadata === false ? { metadata: false } : {}),
  });
}

const ids = (report: { findings: readonly { checkId: string }[] }) => report.findings.map((f) => f.checkId);

test("a 429 with Retry-After in seconds is waited out, and the tarball and metadata are then read", async () => {
  busy = { until: Date.parse("2025-06-01T12:00:03Z"), status: 429, retryAfter: () => "3" };
  try {
    const report = await auditOnTestClock(["tiny-pad"]);
    assert.deepEqual(ids(report), []);
    assert.deepEqual(report.tarballs, { attempted: 1, analyzed: 1 });
    assert.deepEqual(report.metadata, { attempted: 1, unavailable: 0 });
    assert.deepEqual(waits, [3000], "three seconds as asked; the metadata request came after them");
    assert.equal(requests.get("/tiny-pad/-/tiny-pad-1.0.0.tgz"), 2);
  } finally {
    busy = undefined;
  }
});

test("a 503 with Retry-After as an HTTP date is waited out until that date", async () => {
  const date = new Date(Date.parse("2025-06-01T12:00:05Z")).toUTCString();
  busy = { until: Date.parse(date), status: 503, retryAfter: () => date };
  try {
    const report = await auditOnTestClock(["tiny-pad"], { metadata: false });
    assert.deepEqual(ids(report), []);
    assert.deepEqual(waits, [5000]);
  } finally {
    busy = undefined;
  }
});

test("a Retry-After longer than the run may wait gives up on the host at once, with one notice, and exits 2", async () => {
  busy = { until: Number.POSITIVE_INFINITY, status: 429, retryAfter: () => "3600" };
  try {
    const report = await auditOnTestClock(["fixture-alpha", "fixture-omega", "tiny-pad"], { metadata: false });
    assert.deepEqual(waits, [], "not an hour, nor any backoff before giving up");
    assert.equal(
      [...requests.values()].reduce((a, b) => a + b, 0),
      1,
      "one request, then the host is given up on",
    );
    assert.deepEqual(ids(report), ["tarball-unreadable", "tarball-unreadable", "tarball-unreadable"]);
    assert.equal(report.notices.length, 1, report.notices.join("\n"));
    assert.match(report.notices[0] ?? "", /asked to wait 3600 s \(Retry-After\)/);
    assert.match(report.notices[0] ?? "", /30 s/);

    // The installed command, with its real clock: it gives up at once rather than sleeping, and the gate fails.
    const dir = project(["tiny-pad"]);
    const started = Date.now();
    const cli = await runCli([dir, "--no-metadata", "--registry", registryUrl, "--cache-dir", tempDir()], { HOME: tempDir() });
    assert.equal(cli.code, 2, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /asked to wait 3600 s \(Retry-After\)/);
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  } finally {
    busy = undefined;
  }
});

test("Retry-After waits add up to 30 s per run at most: past that the host is given up on", async () => {
  busy = { until: Number.POSITIVE_INFINITY, status: 503, retryAfter: () => "20" };
  try {
    const report = await auditOnTestClock(["tiny-pad"], { metadata: false });
    assert.deepEqual(waits, [20_000], "the second 20 s would make 40");
    assert.equal(requests.get("/tiny-pad/-/tiny-pad-1.0.0.tgz"), 2);
    assert.deepEqual(ids(report), ["tarball-unreadable"]);
    assert.match(report.findings[0]?.message ?? "", /Retry-After/);
  } finally {
    busy = undefined;
  }
});

test("a registry that keeps answering 503 with a short Retry-After is tried three times, no more", async () => {
  busy = { until: Number.POSITIVE_INFINITY, status: 503, retryAfter: () => "1", paths: (path) => path.includes("/-/") };
  try {
    const report = await auditOnTestClock(["tiny-pad"], { metadata: false });
    assert.deepEqual(waits, [1000, 1000]);
    assert.equal(requests.get("/tiny-pad/-/tiny-pad-1.0.0.tgz"), 3);
    assert.deepEqual(ids(report), ["tarball-unreadable"]);
    assert.match(report.findings[0]?.message ?? "", /HTTP 503 \(after 3 attempts\)/);
  } finally {
    busy = undefined;
  }
});

test("parallel requests told to wait at once wait together: six waits of 10 s cost the run 10 s, and no host is given up on", {
  timeout: 10_000,
}, async () => {
  busy = { until: Number.POSITIVE_INFINITY, status: 429, retryAfter: () => "10", firstRequestOnly: true };
  try {
    const names = ["tiny-pad", "fixture-alpha", "fixture-omega", "fixture-gamma", "fixture-delta", "fixture-kappa"];
    const report = await auditOnTestClock(names, { metadata: false, parallel: true });
    assert.deepEqual(ids(report), [], report.findings.map((f) => f.message).join("\n"));
    assert.deepEqual(report.notices, []);
    assert.deepEqual(waits, Array(6).fill(10_000));
  } finally {
    busy = undefined;
  }
});

test("Retry-After is read in each form RFC 9110 has recipients accept, and nothing else", () => {
  const now = Date.parse("1994-11-06T08:49:30Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), 7000, "IMF-fixdate");
  assert.equal(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), 7000, "RFC 850");
  assert.equal(parseRetryAfter("Sun Nov  6 08:49:37 1994", now), 7000, "asctime, which is GMT without saying so");
  assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), 0, "a date already past: no wait");
  for (const unreadable of [null, "", "1.5", "-3", "soon", "12 seconds"])
    assert.equal(parseRetryAfter(unreadable, now), undefined, String(unreadable));
});
