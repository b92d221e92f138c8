import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createScanDetector } from "../src/detect/scan.js";

/** A wordlist as dirb and SecLists order it: plain words, with secrets, dumps and backups among them. */
const WORDLIST = [
  "/admin",
  "/.env",
  "/backup",
  "/.git/HEAD",
  "/old",
  "/db.sql",
  "/staging",
  "/config.php.bak",
  "/test",
  "/.aws/credentials",
  "/dev",
  "/.htpasswd",
  "/private",
  "/dump.sql",
  "/uploads",
  "/.svn/entries",
  "/tmp",
  "/.env.production",
  "/internal",
  "/../../etc/passwd",
];

/**
 * The wordlist, one guess every `gapMs`, against a single-page app that answers 200 (its index.html) for every path,
 * from a client that sends an API key or not. Returns how many guesses went by before the first finding (or none).
 */
function guessesUntilFound(gapMs: number, authenticated: boolean, wordlist = WORDLIST): number | undefined {
  const findings: Finding[] = [];
  const detector = createScanDetector({}, (finding) => findings.push(finding));
  for (const [i, path] of wordlist.entries()) {
    const ts = i * gapMs;
    detector.observeRequest("198.51.100.23", path, authenticated, ts);
    detector.observeStatus("198.51.100.23", path, 200, ts + 5);
    if (findings.length > 0) {
      assert.equal(findings[0]!.subject, "ip:198.51.100.23");
      return i + 1;
    }
  }
  return undefined;
}

test("scan: a wordlist against a single-page app that answers 200 everywhere is found, slow or fast", () => {
  // Before: the 404 buckets never saw a 404, and pathsPerIp needs 60 units a second: nothing at one guess every 3 s.
  const slow = guessesUntilFound(3_000, false);
  assert.ok(slow !== undefined && slow <= 12, `slow: ${slow}`);
  const fast = guessesUntilFound(50, false);
  assert.ok(fast !== undefined && fast <= 12, `fast: ${fast}`);
});

/** Consoles and server internals a discovery phase tries: probes, but not secrets (a site may run them). */
const CONSOLES = [
  "wp-admin",
  "phpmyadmin",
  "pma",
  "myadmin",
  "adminer",
  "cgi-bin",
  "server-status",
  "server-info",
  "actuator",
  "jmx-console",
  "phpunit",
].flatMap((name) => [`/${name}/`, `/app/${name}/`]);

test("scan: sending an API key (any value) does not hide a discovery burst from pathsPerIp", () => {
  // Before: an authenticated client was never counted by pathsPerIp, and any x-api-key header makes one: 22 consoles
  // in half a second, answered 200 by a catch-all route, raised nothing with a key and were found without one.
  assert.ok(guessesUntilFound(20, false, CONSOLES) !== undefined, "without a key");
  const found = guessesUntilFound(20, true, CONSOLES);
  assert.ok(found !== undefined && found <= CONSOLES.length, `with a key: ${found}`);
});

test("scan: an app's own pages and well-known files answered 200 are no scan, however fast", () => {
  const findings: Finding[] = [];
  const detector = createScanDetector({}, (finding) => findings.push(finding));
  const pages = [
    "/.well-known/openid-configuration",
    "/.well-known/assetlinks.json",
    "/files/report.zip",
    "/exports/orders.csv",
    "/logs",
    "/app.log.html",
    ...Array.from({ length: 40 }, (_, i) => `/api/orders/${i}`),
  ];
  for (const [i, path] of pages.entries()) {
    detector.observeRequest("198.51.100.24", path, true, i * 20);
    detector.observeStatus("198.51.100.24", path, 200, i * 20 + 5);
  }
  assert.deepEqual(findings, []);
});
