import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { AuditReport } from "../src/audit.js";
import { type Finding, SEVERITIES, type Severity } from "../src/model.js";
import { MAX_SARIF_RESULTS, toSarif } from "../src/report/sarif.js";
import { runCli } from "./run-cli.js";
import { tempDir } from "./temp-dir.js";

// What GitHub code scanning requires of an uploaded SARIF file beyond the 2.1.0 schema
// (docs.github.com, "SARIF support for code scanning"), checked field by field.

interface Rule {
  id: string;
  shortDescription?: { text?: unknown };
  fullDescription?: { text?: unknown };
  defaultConfiguration?: { level?: unknown };
  properties?: { tags?: unknown; precision?: unknown; "security-severity"?: unknown };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text?: unknown };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } } }>;
  partialFingerprints: Record<string, unknown>;
  properties: { severity: Severity };
}
interface Run {
  tool: { driver: { name: string; rules: Rule[] } };
  originalUriBaseIds: Record<string, { uri: string }>;
  results: Result[];
  invocations?: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: Array<{ message: { text: string } }> }>;
}
interface Log {
  version: string;
  runs: Run[];
}

/** GitHub ranks a security alert by its rule's score: >= 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below low. */
function githubSeverity(score: number): string {
  return score >= 9 ? "critical" : score >= 7 ? "high" : score >= 4 ? "medium" : "low";
}

/** Asserts every GitHub rule; returns each result's file path as GitHub resolves it under %SRCROOT%. */
function assertGitHubSarif(log: Log): string[] {
  assert.equal(log.version, "2.1.0");
  assert.ok(log.runs.length >= 1 && log.runs.length <= 20, "1 to 20 runs");
  const paths: string[] = [];
  for (const run of log.runs) {
    assert.equal(typeof run.tool.driver.name, "string");
    const rules = run.tool.driver.rules;
    assert.ok(rules.length <= 25_000);
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, "rule ids are unique");
    for (const rule of rules) {
      assert.ok(typeof rule.shortDescription?.text === "string" && rule.shortDescription.text !== "", `${rule.id}: shortDescription.text`);
      assert.ok(typeof rule.fullDescription?.text === "string" && rule.fullDescription.text !== "", `${rule.id}: fullDescription.text`);
      assert.ok(["none", "note", "warning", "error"].includes(String(rule.defaultConfiguration?.level)), `${rule.id}: level`);
      const tags = rule.properties?.tags;
      assert.ok(Array.isArray(tags) && tags.length <= 20 && new Set(tags).size === tags.length, `${rule.id}: tags`);
      // Without the "security" tag GitHub ignores security-severity.
      assert.ok(tags.includes("security"), `${rule.id}: tagged security`);
      assert.ok(["very-high", "high", "medium", "low"].includes(String(rule.properties?.precision)), `${rule.id}: precision`);
      const score = rule.properties?.["security-severity"];
      assert.ok(typeof score === "string" && /^\d+(\.\d+)?$/.test(score) && Number(score) <= 10, `${rule.id}: security-severity`);
    }
    const base = run.originalUriBaseIds["%SRCROOT%"]?.uri ?? "";
    assert.match(base, /^file:\/\/.*\/$/, "%SRCROOT% is an absolute file URI ending in /");
    assert.ok(run.results.length <= 25_000, "at most 25,000 results per run");
    for (const result of run.results) {
      assert.ok(typeof result.message.text === "string" && result.message.text !== "", "message.text");
      const rule = rules[result.ruleIndex];
      assert.equal(rule?.id, result.ruleId, "ruleId names a rule in tool.driver.rules, at ruleIndex");
      // The result is ranked as parapet ranked the finding: GitHub reads the score from the rule only.
      const score = Number(rule.properties?.["security-severity"]);
      const severity = result.properties.severity;
      assert.equal(githubSeverity(score), severity === "info" ? "low" : severity, `${result.ruleId} ranked ${severity}`);
      assert.ok(result.locations.length >= 1 && result.locations.length <= 1000);
      const { artifactLocation, region } = result.locations[0]!.physicalLocation;
      assert.ok(Number.isInteger(region.startLine) && region.startLine >= 1, "region.startLine >= 1");
      assert.equal(artifactLocation.uriBaseId, "%SRCROOT%");
      const resolved = new URL(artifactLocation.uri, base);
      assert.ok(resolved.href.startsWith(base), `${artifactLocation.uri} stays inside the repository`);
      assert.equal(resolved.search + resolved.hash, "", `${artifactLocation.uri} has no query or fragment`);
      paths.push(decodeURIComponent(resolved.href.slice(base.length)));
      const prints = Object.values(result.partialFingerprints);
      assert.ok(prints.length > 0 && prints.every((p) => typeof p === "string" && p !== ""), "partialFingerprints");
    }
  }
  return paths;
}

function report(dir: string, findings: Finding[]): AuditReport {
  return {
    dir,
    lockfiles: [{ file: "package-lock.json", format: "npm", formatVersion: "3", packages: 1 }],
    packages: findings.length,
    findings,
    suppressed: 0,
    notices: [],
  };
}

const CHECKS = [
  "typosquat",
  "dependency-confusion",
  "lockfile-tampering",
  "integrity-mismatch",
  "install-script",
  "malicious-code",
  "release-age",
  "publisher-change",
  "deprecated",
  "version-unpublished",
  "known-malware",
  "known-vulnerability",
  "tarball-partly-analyzed",
  "tarball-unreadable",
  "tarball-not-cached",
  "metadata-unavailable",
];

test("every check at every severity gives SARIF code scanning accepts and ranks as parapet does", () => {
  const dir = tempDir();
  const findings = CHECKS.flatMap((checkId, i) =>
    SEVERITIES.map(
      (severity): Finding => ({
        checkId,
        severity,
        packageName: `pkg-${i}`,
        version: "1.0.0",
        message: `${checkId} at ${severity}`,
        location: { file: "package-lock.json", line: i + 1 },
      }),
    ),
  );
  const log = JSON.parse(toSarif(report(dir, findings), { root: dir })) as Log;
  assertGitHubSarif(log);
  assert.equal(log.runs[0]?.results.length, findings.length);
});

test("folder names with #, ?, : and % reach code scanning as the same path", () => {
  const repo = tempDir();
  for (const odd of ["a#b", "what?", "x:y", "100%", "ünï code", "semi;colon"]) {
    const dir = join(repo, odd, "app");
    mkdirSync(dir, { recursive: true });
    const finding: Finding = {
      checkId: "install-script",
      severity: "medium",
      message: "runs a postinstall",
      location: { file: "package-lock.json", line: 3 },
    };
    const paths = assertGitHubSarif(JSON.parse(toSarif(report(dir, [finding]), { root: repo })) as Log);
    assert.deepEqual(paths, [`${odd}/app/package-lock.json`]);
  }
});

test("a real run in an oddly named folder: one check at two severities is two ranked rules", async () => {
  const repo = tempDir();
  mkdirSync(join(repo, ".git"));
  const dir = join(repo, "packages", "web #1?");
  mkdirSync(dir, { recursive: true });
  const packages = {
    "": { name: "app", version: "1.0.0" },
    "node_modules/http-dep": {
      version: "1.0.0",
      resolved: "http://evil.example/http-dep-1.0.0.tgz",
      integrity: `sha512-${"B".repeat(86)}==`,
    },
    "node_modules/old-hash": { version: "1.0.0", integrity: "sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
  };
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ lockfileVersion: 3, packages }, null, 2)}\n`);
  const result = await runCli([dir, "--sarif", "--no-tarballs", "--no-metadata"]);
  assert.equal(result.code, 1, result.stderr);
  const log = JSON.parse(result.stdout) as Log;
  const paths = assertGitHubSarif(log);
  assert.deepEqual([...new Set(paths)], ["packages/web #1?/package-lock.json"]);
  const ranked = log.runs[0]!.results.map((r) => `${r.ruleId} ${r.level}`);
  assert.ok(ranked.includes("lockfile-tampering/high error") && ranked.includes("lockfile-tampering/low note"), ranked.join("\n"));
});

test("past GitHub's 25,000 results the least severe are left out, and a notification says so", () => {
  const dir = tempDir();
  const info: Finding = {
    checkId: "tarball-not-cached",
    severity: "info",
    message: "not cached",
    location: { file: "package-lock.json", line: 2 },
  };
  const findings: Finding[] = Array.from({ length: MAX_SARIF_RESULTS }, (_, i) => ({ ...info, packageName: `p${i}`, version: "1.0.0" }));
  findings.push({ ...info, checkId: "known-malware", severity: "critical", packageName: "evil", version: "1.0.0", message: "MAL-1" });
  const log = JSON.parse(toSarif(report(dir, findings), { root: dir })) as Log;
  assertGitHubSarif(log);
  const run = log.runs[0]!;
  assert.equal(run.results.length, MAX_SARIF_RESULTS);
  assert.ok(
    run.results.some((r) => r.ruleId === "known-malware/critical"),
    "the critical finding is kept",
  );
  assert.match(run.invocations?.[0]?.toolExecutionNotifications?.[0]?.message.text ?? "", /^1 least severe findings were left out/);
});
