import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { pathKindOf } from "../src/detect/path-kind.js";
import { createScanDetector } from "../src/detect/scan.js";
import { blockListRule, observe } from "../src/index.js";
import { parapet, recordingLogger } from "./helpers.js";

/** What one page of a shop with a broken theme misses: 40 assets under a handful of directories. */
const BROKEN_PAGE = [
  ...Array.from({ length: 22 }, (_, i) => `/assets/img/product-${i}.png`),
  ...Array.from({ length: 6 }, (_, i) => `/assets/css/theme-${i}.css`),
  ...Array.from({ length: 6 }, (_, i) => `/assets/js/widget-${i}.js`),
  ...["regular", "bold", "italic", "light"].map((weight) => `/assets/fonts/inter-${weight}.woff2`),
  "/favicon.ico",
  "/apple-touch-icon.png",
];

/** A scanner's wordlist: pages and known probes spread over many top-level directories. */
const WORDLIST = [
  "/.env",
  "/.git/config",
  "/wp-admin/setup-config.php",
  "/phpmyadmin/",
  "/backup.zip",
  "/admin/",
  "/config.php.bak",
  "/server-status",
  "/old/",
  "/test/",
  "/db.sql",
  "/cgi-bin/test.cgi",
  "/console",
  "/staging/",
  "/.aws/credentials",
  "/WEB-INF/web.xml",
];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a real browser burst of 40 missing assets over HTTP is no scan and blocks nobody; a wordlist from the same client is blocked", {
  timeout: 20_000,
}, async () => {
  const observed = observe({ store: false, logger: recordingLogger(), handleSignals: false });
  const guard = parapet({ rules: [blockListRule(observed.blockList)], observers: [observed.observer] });
  const server = createServer(async (req, res) => {
    const decision = await guard.protect(req);
    const status = decision.conclusion === "DENY" ? 403 : req.url === "/" || req.url?.startsWith("/api/") ? 200 : 404;
    observed.recordStatus(decision, status);
    res.writeHead(status).end();
  });
  const base = await listen(server);
  const get = async (path: string) => (await fetch(`${base}${path}`)).status;
  try {
    assert.equal(await get("/"), 200);
    // The browser asks for every asset of the page at once.
    const statuses = await Promise.all(BROKEN_PAGE.map(get));
    assert.ok(
      statuses.every((status) => status === 404),
      String(statuses),
    );
    await observed.flush(); // the detectors run in the log worker: wait for whatever they found
    assert.deepEqual(
      observed.alerts().filter((a) => a.kind === "scan"),
      [],
    );
    assert.equal(await get("/api/health"), 200, "the visitor of a broken page is not blocked");

    for (const path of WORDLIST) await get(path);
    await observed.flush();
    assert.ok(observed.alerts().some((a) => a.kind === "scan" && a.subject === "ip:127.0.0.1"));
    assert.equal(await get("/api/health"), 403, "the wordlist gets the client blocked");
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await guard.close();
    await observed.close();
  }
});

function detector(): { findings: Finding[]; status(ip: string, path: string, now: number): void } {
  const findings: Finding[] = [];
  const scan = createScanDetector({}, (finding) => findings.push(finding));
  return { findings, status: (ip, path, now) => scan.observeStatus(ip, path, 404, now) };
}

test("scan: a visitor browsing a broken shop (the page, then 3 more with 8 new product images each) is no scan", () => {
  const { findings, status } = detector();
  let now = 0;
  const load = (paths: readonly string[]) => {
    for (const path of paths) {
      now += 20;
      status("192.0.2.20", path, now);
    }
  };
  load(BROKEN_PAGE);
  for (let page = 0; page < 3; page++) {
    now += 15_000;
    load(BROKEN_PAGE);
    load(Array.from({ length: 8 }, (_, i) => `/media/products/${page * 100 + i}/thumb.jpg`));
  }
  assert.deepEqual(findings, []);
});

test("scan: a wordlist is found within a few guesses, in a burst or one guess every 3 s", () => {
  /** How many guesses, `gapMs` apart, until the first finding. */
  const guessesToFind = (ip: string, gapMs: number) => {
    const { findings, status } = detector();
    const index = WORDLIST.findIndex((path, i) => {
      status(ip, path, i * gapMs);
      return findings.length > 0;
    });
    assert.equal(findings[0]?.subject, `ip:${ip}`);
    return index + 1;
  };
  assert.ok(guessesToFind("198.51.100.9", 50) <= 6, "a burst of 6 known probes");
  assert.ok(guessesToFind("198.51.100.10", 3_000) <= 8, "8 guesses: 24 s");
});

test("scan: dotfiles, consoles and traversal the server refuses (401/403/400) count like 404s; refused pages and downloads do not", () => {
  // nginx's usual `location ~ /\. { deny all; }`, a WAF or a CDN answers a probe 403: counted as 404s only, a
  // wordlist of dotfiles one every 2 s raised nothing at all.
  const hidden = [
    "/.env",
    "/.git/config",
    "/.aws/credentials",
    "/.htpasswd",
    "/server-status",
    "/phpmyadmin/",
    "/../../etc/passwd",
    "/.ssh/id_rsa",
  ];
  for (const refusal of [403, 401, 400]) {
    const findings: Finding[] = [];
    const scan = createScanDetector({}, (finding) => findings.push(finding));
    for (const [i, path] of hidden.entries()) scan.observeStatus("198.51.100.77", path, refusal, i * 2_000);
    assert.deepEqual(
      findings.map((f) => f.subject),
      ["ip:198.51.100.77"],
      String(refusal),
    );
  }
  // A visitor whose session expired, opening 30 pages and protected downloads, is refused each time: no scan.
  const findings: Finding[] = [];
  const scan = createScanDetector({}, (finding) => findings.push(finding));
  for (let i = 0; i < 30; i++) {
    scan.observeStatus("192.0.2.44", i % 2 ? `/account/orders/${i}` : `/files/report-${i}.zip`, i % 3 ? 403 : 401, i * 500);
  }
  assert.deepEqual(findings, []);
});

test("scan: plain missing pages still count one each (the late-status scanner walks /missing-N)", () => {
  const { findings, status } = detector();
  for (let i = 0; i < 15; i++) status("203.0.113.5", `/missing-${i}`, 0);
  assert.equal(findings.length, 0);
  status("203.0.113.5", "/missing-15", 0);
  assert.deepEqual(
    findings.map((f) => [f.subject, f.evidence.level]),
    [["ip:203.0.113.5", 16]],
  );
});

test("pathKindOf: assets a page loads, probes a wordlist tries, everything else a page", () => {
  const cases: [string, ReturnType<typeof pathKindOf>][] = [
    ["/assets/img/hero.PNG", "asset"],
    ["/themes/x/fonts/inter.woff2", "asset"],
    ["/static/app.3f9a.js", "asset"],
    ["/wp-content/uploads/2019/05/photo.jpg", "asset"],
    ["/.well-known/security.txt", "page"],
    ["/api/items/42", "page"],
    ["/products/shoes.html", "page"],
    ["/.env", "probe"],
    ["/app/.git/config", "probe"],
    ["/%2egit/HEAD", "probe"],
    ["/backup-2024.tar.gz", "probe"],
    ["/index.php~", "probe"],
    ["/wp-admin/css/login.css", "probe"],
    ["/phpMyAdmin2/", "probe"],
    ["/cgi-bin/test.cgi", "probe"],
    ["/theme/META-INF%c0%af..%c0%afweb.xml", "probe"],
    ["/static/../../etc/passwd", "probe"],
  ];
  assert.deepEqual(
    cases.map(([path]) => [path, pathKindOf(path)]),
    cases,
  );
});
