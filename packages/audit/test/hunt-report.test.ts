import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { AuditReport } from "../src/audit.js";
import type { Finding } from "../src/model.js";
import { sourceRoot, toSarif } from "../src/report/sarif.js";
import { toTerminal } from "../src/report/terminal.js";
import { tempDir } from "./temp-dir.js";

function report(dir: string, findings: Finding[]): AuditReport {
  return {
    dir,
    lockfiles: [{ file: "package-lock.json", format: "npm", formatVersion: "3", packages: 1 }],
    packages: 1,
    findings,
    suppressed: 0,
    notices: [],
  };
}

const finding = (overrides: Partial<Finding>): Finding => ({
  checkId: "lockfile-tampering",
  severity: "high",
  packageName: "x",
  version: "1.0.0",
  message: "resolved over plain HTTP",
  location: { file: "package-lock.json", line: 7 },
  ...overrides,
});

interface SarifLog {
  runs: Array<{
    results: Array<{
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }>;
      partialFingerprints: Record<string, string>;
    }>;
  }>;
}

test("SARIF locations are relative to the repository root, with %SRCROOT%", () => {
  const repo = tempDir();
  const app = join(repo, "packages", "app");
  mkdirSync(app, { recursive: true });
  // `parapet audit packages/app` run from the checkout root, no .git: the working directory is the root.
  assert.equal(sourceRoot(app, repo), repo);
  mkdirSync(join(repo, ".git"));
  // With a .git, the repository root wins wherever the command runs.
  assert.equal(sourceRoot(app, app), repo);
  assert.equal(sourceRoot(app, "/somewhere/else"), repo);

  const sarif = JSON.parse(toSarif(report(app, [finding({})]))) as SarifLog;
  const location = sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation;
  assert.deepEqual(location, { uri: "packages/app/package-lock.json", uriBaseId: "%SRCROOT%" });
});

test("SARIF fingerprints tell two findings of one check on one package apart", () => {
  const dir = tempDir();
  const findings = [
    finding({ message: 'resolved over plain HTTP (http://evil.example/x.tgz)"' }),
    finding({ message: 'resolved from "evil.example", which is not in allowedHosts' }),
    finding({ checkId: "release-age", severity: "medium", message: "was published 5 hours ago" }),
  ];
  const sarif = JSON.parse(toSarif(report(dir, findings), { root: dir })) as SarifLog;
  const prints = sarif.runs[0]?.results.map((r) => Object.values(r.partialFingerprints)[0]) ?? [];
  assert.equal(new Set(prints).size, 3);
  // Stable: the same findings give the same fingerprints on the next run, even as a release ages.
  const later = findings.map((f) => ({ ...f, message: f.message.replace("5 hours", "7 hours"), location: { ...f.location, line: 9 } }));
  const again = JSON.parse(toSarif(report(dir, later), { root: dir })) as SarifLog;
  assert.deepEqual(
    again.runs[0]?.results.map((r) => Object.values(r.partialFingerprints)[0]),
    prints,
  );
});

test("SARIF fingerprints tell two install locations of one version apart, even with the same message", () => {
  const dir = tempDir();
  // scan.ts words a finding the same for every copy it fetches: only the line differs.
  const copy = (line: number) =>
    finding({
      checkId: "integrity-mismatch",
      severity: "critical",
      message: "the registry served a tarball whose sha512 differs",
      location: { file: "package-lock.json", line },
    });
  const printsOf = (findings: Finding[]) =>
    (JSON.parse(toSarif(report(dir, findings), { root: dir })) as SarifLog).runs[0]?.results.map(
      (r) => r.partialFingerprints["parapet/v2"],
    ) ?? [];
  const [top, nested] = printsOf([copy(12), copy(40)]);
  assert.notEqual(top, nested);
  // The line is added only where it is needed: a lone finding keeps a line-free fingerprint.
  assert.deepEqual(printsOf([copy(12)]), printsOf([copy(13)]));
});

test("control characters from the lockfile cannot rewrite the terminal report", () => {
  const text = toTerminal(
    report("/p", [
      finding({
        packageName: "evil\u001b[2K\u001b[1A\u001b[2K\r",
        message: "resolved from http://x.example/\u009b2J\u202e",
        location: { file: "package-lock.json\u001b]0;pwned\u0007" },
      }),
    ]),
  );
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  assert.match(text, /evil\\u001b\[2K\\u001b\[1A\\u001b\[2K\\u000d@1\.0\.0/);
  // Colour codes are still ours to print.
  assert.match(toTerminal(report("/p", [finding({ packageName: "evil\u001b[0m" })]), { color: true }), /^\u001b\[31mHIGH/m);
});

test("findings below the listing threshold are counted, and listed when the gate reaches them", () => {
  const info = report("/p", [finding({ checkId: "install-script", severity: "info", message: "postinstall allowed by config" })]);
  const text = toTerminal(info);
  assert.doesNotMatch(text, /INFO \(1\)/);
  assert.match(text, /1 not listed above \(--json lists every finding\)/);
  const gated = toTerminal(info, { failOn: "info" });
  assert.match(gated, /INFO \(1\)\n {2}\[install-script\] x@1\.0\.0/);
  assert.doesNotMatch(gated, /not listed above/);
});

test("metadata and tarballs that could not be read are one visible line, even when their findings are info", () => {
  const text = toTerminal(
    report("/p", [
      finding({ checkId: "metadata-unavailable", severity: "info", message: "timed out" }),
      finding({ checkId: "metadata-unavailable", severity: "info", packageName: "y", message: "timed out" }),
      finding({ checkId: "tarball-unreadable", severity: "medium", message: "timed out" }),
    ]),
  );
  assert.match(text, /warning: could not read the tarballs of 1 package and the registry metadata of 2 packages/);
});
