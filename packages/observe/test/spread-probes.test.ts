import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../src/alerts/alert.js";
import { createScanDetector } from "../src/detect/scan.js";
import { observe } from "../src/index.js";
import { parapet, recordingLogger, recordingScanDetector } from "./helpers.js";

/** A wordlist of probes a scanner shares out: secrets, dumps and backups under common directories. */
const FILES = [".env", ".git/config", "backup.zip", "db.sql", "config.php.bak", "dump.sql", ".htpasswd", "site.tar.gz"];
const DIRS = ["", "admin/", "api/", "app/", "backup/", "old/", "dev/", "staging/", "www/", "public/"];
const SHARED_LIST = DIRS.flatMap((dir) => FILES.map((file) => `/${dir}${file}`));

/** What every public site is asked for all day by ever new addresses. */
const BACKGROUND = ["/.env", "/.git/config", "/wp-login.php", "/xmlrpc.php", "/.aws/credentials", "/phpmyadmin/", "/backup.zip", "/db.sql"];

/** The n-th guess of the shared list, round and round. */
const guess = (n: number): string => SHARED_LIST[n % SHARED_LIST.length] as string;
const ip = (n: number) => `198.51.${100 + (n >> 8)}.${n & 255}`;

test("spread scan: 60 addresses asking 2 probes each from one shared list, one a second, is a site-wide scan finding", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 120; n++) status(ip(n >> 1), guess(n), 404, n * 1_000);
  const site = findings.filter((f) => f.subject === "site");
  // Found again after each refill while it goes on; the alerts' cooldown makes that one alert.
  assert.ok(site.length >= 1, JSON.stringify(findings));
  const [finding] = site as [Finding];
  assert.ok((finding.evidence.distinctPaths as number) > 30);
  assert.equal(finding.kind, "scan");
  assert.equal(finding.evidence.bucket, "probesOverall");
  assert.ok((finding.evidence.clients as number) >= 10, JSON.stringify(finding.evidence));
  // No client asked for enough to be a scanner on its own.
  assert.deepEqual(
    findings.filter((f) => f.subject !== "site"),
    [],
  );
});

test("spread scan: refused dotfiles count too (403 from a WAF or nginx's dotfile rule); refused downloads do not", () => {
  const dotfiles = DIRS.flatMap((dir) =>
    [".env", ".git/config", ".htpasswd", ".aws/credentials", ".DS_Store"].map((file) => `/${dir}${file}`),
  );
  const downloads = DIRS.flatMap((dir) =>
    ["report.zip", "export.sql", "invoice.bak", "data.tar.gz", "notes.old"].map((file) => `/${dir}${file}`),
  );
  const refused = recordingScanDetector();
  for (let n = 0; n < 100; n++) refused.status(ip(n >> 1), downloads[n % downloads.length] as string, 403, n * 1_000);
  assert.deepEqual(refused.findings, []);
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 100; n++) status(ip(n >> 1), dotfiles[n % dotfiles.length] as string, 403, n * 1_000);
  assert.ok(findings.some((f) => f.subject === "site"));
});

test("spread scan: one scanner walking the whole list is its own finding, never a site-wide one", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < SHARED_LIST.length; n++) status("203.0.113.9", guess(n), 404, n * 1_000);
  assert.ok(findings.some((f) => f.subject === "ip:203.0.113.9"));
  assert.deepEqual(
    findings.filter((f) => f.subject === "site"),
    [],
  );
});

test("spread scan: the internet's background, new addresses asking 1 to 3 of the usual probes for 3 hours, is no finding", () => {
  const { findings, status } = recordingScanDetector();
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  let client = 0;
  for (let t = 0; t < 3 * 3_600_000; t += 20_000 + Math.floor(random() * 40_000)) {
    const guesses = 1 + Math.floor(random() * 3);
    client++;
    for (let i = 0; i < guesses; i++) status(ip(client), BACKGROUND[Math.floor(random() * BACKGROUND.length)] as string, 404, t + i * 700);
  }
  assert.ok(client > 200);
  assert.deepEqual(findings, []);
});

test("spread scan: a botnet wave, 300 addresses asking for the same 4 files within 2 minutes, is no finding", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 600; n++) status(ip(n >> 1), BACKGROUND[n % 4] as string, 404, n * 200);
  assert.deepEqual(findings, []);
});

test("spread scan: missing pages and assets from many visitors (deleted products, a broken image) are no finding", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 600; n++) status(ip(n), n % 2 ? `/products/${n * 7}` : `/media/${n}/thumb.jpg`, 404, n * 200);
  assert.deepEqual(findings, []);
});

test("spread scan: the finding blocks nobody (no one address is the scanner) but is an alert", async () => {
  const observed = observe({ store: false, logger: recordingLogger(), handleSignals: false, worker: false });
  const guard = parapet({ rules: [], observers: [observed.observer] });
  try {
    for (let n = 0; n < 120; n++) {
      const decision = await guard.protect({
        method: "GET",
        url: guess(n),
        ip: ip(n >> 1),
        headers: { host: "shop.example", "user-agent": "python-requests/2.31.0" },
      });
      observed.recordStatus(decision, 404);
    }
    await observed.flush();
    assert.ok(
      observed.alerts().some((a) => a.kind === "scan" && a.subject === "site"),
      JSON.stringify(observed.alerts()),
    );
    assert.deepEqual(observed.blockList.entries(), []);
  } finally {
    await guard.close();
    await observed.close();
  }
});

test("spread scan: a probesOverall without a usable capacity is refused at construction, naming the option", () => {
  assert.throws(
    () => createScanDetector({ probesOverall: { capacity: 0, leakMs: 1_000 } }, () => {}),
    /detectors\.scan\.probesOverall\.capacity/,
  );
});
