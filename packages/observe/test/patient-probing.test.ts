import assert from "node:assert/strict";
import { test } from "node:test";
import { recordingScanDetector } from "./helpers.js";

/** The usual probes, as a scanner hunting for leaked secrets walks them. */
const PROBES = ["/.env", "/.git/config", "/backup.zip", "/db.sql", "/config.php.bak", "/.aws/credentials", "/dump.sql", "/.htpasswd"];
/** The n-th guess: every probe at the root, then under /api/, /app/ and /old/ (32 different paths). */
const probe = (n: number): string =>
  `/${["", "api/", "app/", "old/"][Math.floor(n / PROBES.length) % 4]}${PROBES[n % PROBES.length]?.slice(1)}`;

test("patient scan: one probe every 45 s (every burst bucket drains in between) is found within 15 minutes", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 20; n++) status("203.0.113.77", probe(n), 404, n * 45_000);
  const found = findings.find((f) => f.evidence.bucket === "patientProbingPerIp");
  assert.ok(found, JSON.stringify(findings));
  assert.equal(found.subject, "ip:203.0.113.77");
});

test("patient scan: one probe every 3 minutes for an hour and a half is found too", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 30; n++) status("203.0.113.78", probe(n), 404, n * 180_000);
  assert.ok(findings.some((f) => f.evidence.bucket === "patientProbingPerIp"));
});

test("patient scan: an admin refused 20 different /wp-admin/ pages over an hour (session expired) is no scan", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 20; n++) status("192.0.2.10", `/wp-admin/edit-${n}.php`, 403, n * 180_000);
  assert.deepEqual(findings, []);
});

test("patient scan: a reader missing 40 different pages and images over an hour is no scan", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 40; n++) status("192.0.2.11", n % 2 ? `/blog/post-${n}` : `/media/${n}.jpg`, 404, n * 90_000);
  assert.deepEqual(findings, []);
});

test("patient scan: the same probe asked again and again is one guess, not a scan", () => {
  const { findings, status } = recordingScanDetector();
  for (let n = 0; n < 40; n++) status("192.0.2.12", "/.env", 404, n * 45_000);
  assert.deepEqual(findings, []);
});
