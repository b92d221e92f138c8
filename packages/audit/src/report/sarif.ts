import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { AuditReport } from "../audit.js";
import { type Finding, type Severity, severityRank } from "../model.js";

/** Descriptions of each check id, for SARIF `rules` (shown by GitHub code scanning). */
const RULES: Record<string, string> = {
  typosquat: "Dependency name imitates a popular package",
  "dependency-confusion": "Internal package resolves from the public registry",
  "lockfile-tampering": "Lockfile entry points somewhere it should not",
  "install-script": "Dependency runs an install script",
  "malicious-code": "Tarball contains code that looks malicious",
  "integrity-mismatch": "Tarball does not match the lockfile integrity",
  "tarball-altered-in-transit": "A tarball was served altered once, then intact",
  "known-malware": "Version is listed as malware in OSV",
  "known-vulnerability": "Version has a known vulnerability in OSV",
  "tarball-unreadable": "Tarball could not be fetched or read",
  "tarball-not-cached": "Tarball not analyzed (offline, not cached)",
  "tarball-partly-analyzed": "Tarball too large to analyze whole",
  "release-age": "Version is younger than the minimum release age",
  deprecated: "Version is deprecated by its maintainers",
  "publisher-change": "Version published by an account that never published before",
  "version-unpublished": "Version is no longer listed by the registry",
  "metadata-unavailable": "Registry metadata could not be read",
};

/** SARIF has three levels; `security-severity` keeps our finer scale for GitHub's ranking. */
function level(severity: Severity): "error" | "warning" | "note" {
  return severity === "critical" || severity === "high" ? "error" : severity === "medium" ? "warning" : "note";
}

const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "0.0" };

/** Checks that judge by resemblance or by code patterns, not by a fact the lockfile or registry states. */
const HEURISTIC = new Set(["typosquat", "malicious-code", "publisher-change"]);

/**
 * Code scanning reads `security-severity` from the rule only (a result cannot override it), and one
 * check reports at several severities (lockfile-tampering: sha1-only is low, a foreign host high).
 * So a rule is a check at one severity, `lockfile-tampering/high`: each alert is ranked as ours is.
 */
function ruleIdOf(finding: Finding): string {
  return `${finding.checkId}/${finding.severity}`;
}

/** One SARIF rule (reportingDescriptor) with the fields GitHub requires or ranks by. */
function ruleFor(id: string) {
  const [checkId = id, severity = "info"] = id.split("/") as [string, Severity];
  const summary = RULES[checkId] ?? checkId;
  return {
    id,
    name: checkId.replace(/(^|-)(\w)/g, (_, _sep: string, c: string) => c.toUpperCase()),
    shortDescription: { text: summary },
    fullDescription: {
      text: `${summary} (parapet audit check "${checkId}", ${severity} severity). Each result says why and what to do next.`,
    },
    defaultConfiguration: { level: level(severity) },
    properties: {
      tags: ["security", "supply-chain"],
      precision: HEURISTIC.has(checkId) ? "medium" : "high",
      "security-severity": SECURITY_SEVERITY[severity],
    },
  };
}

/** The nearest folder holding `.git`, from `dir` upwards. */
function repositoryRoot(dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, ".git"))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * Where code scanning finds the files: the repository root (GitHub resolves
 * %SRCROOT% to the checkout), else the working directory when the audited folder
 * is inside it, else the audited folder itself.
 */
export function sourceRoot(dir: string, cwd: string = process.cwd()): string {
  const inside = (root: string) => {
    const path = relative(root, dir);
    return !path.startsWith("..") && !isAbsolute(path);
  };
  return repositoryRoot(dir) ?? (inside(cwd) ? cwd : dir);
}

/**
 * A finding's file as a URI relative to `root`: forward slashes, each segment percent-encoded on its own.
 * encodeURI keeps `#`, `?` and `:`, so a folder named `a#b` became a fragment and `x:y` a URI scheme,
 * and code scanning looked for a file that does not exist.
 */
function artifactUri(report: AuditReport, root: string, finding: Finding): string {
  return relative(root, join(report.dir, finding.location.file)).split(sep).map(encodeURIComponent).join("/");
}

/**
 * Stable across runs, distinct between findings: code scanning merges results with
 * equal fingerprints, so two findings of one check on one package (plain http and a
 * foreign host) need the file and the message in it too. Lines move, and numbers in a
 * message change from run to run ("published 5 hours ago"): both are left out.
 */
function fingerprint(finding: Finding, uri: string): string {
  const message = createHash("sha256").update(finding.message.replace(/\d+/g, "0")).digest("hex").slice(0, 16);
  return `${finding.checkId}:${finding.packageName ?? ""}@${finding.version ?? ""}:${uri}:${message}`;
}

/**
 * One fingerprint per finding. Two install locations of one version can get the same
 * finding word for word (a tampered nested copy); only the line tells them apart, so
 * it is added for those, and only those, keeping every other fingerprint line-free.
 */
function fingerprints(findings: readonly Finding[], uris: readonly string[]): string[] {
  const base = findings.map((f, i) => fingerprint(f, uris[i]!));
  const counts = new Map<string, number>();
  for (const print of base) counts.set(print, (counts.get(print) ?? 0) + 1);
  return base.map((print, i) => (counts.get(print)! > 1 ? `${print}:${findings[i]!.location.line ?? 0}` : print));
}

export interface SarifOptions {
  /** Folder the URIs are relative to (%SRCROOT%); see sourceRoot for the default. */
  readonly root?: string;
  /** Why the run could not finish (exit 2): the log then says so, beside the results found so far. */
  readonly failure?: string;
}

/** GitHub rejects a SARIF run of more than 25,000 results (and shows only the 5,000 most severe). */
export const MAX_SARIF_RESULTS = 25_000;

/** The findings a run can carry: all of them, or past the limit the most severe, in report order. */
function within(findings: readonly Finding[]): readonly Finding[] {
  if (findings.length <= MAX_SARIF_RESULTS) return findings;
  const kept = new Set([...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity)).slice(0, MAX_SARIF_RESULTS));
  return findings.filter((f) => kept.has(f));
}

function driver(ruleIds: readonly string[]) {
  return { name: "parapet-audit", informationUri: "https://github.com/parapet/parapet", rules: ruleIds.map(ruleFor) };
}

/**
 * The run's own messages, where code scanning shows them, so neither a cut nor a failure is silent.
 * `executionSuccessful: false` is how SARIF marks an incomplete result set (2.1.0, appendix I): code
 * scanning takes such an upload as an unsuccessful execution, not as a scan that found nothing, so
 * it does not close the open alerts the run did not get to (see github/codeql-action#1393).
 */
function invocationsOf(omitted: number, failure: string | undefined) {
  const notifications = [
    ...(omitted > 0
      ? [
          {
            level: "warning",
            message: {
              text: `${omitted} least severe findings were left out: code scanning rejects more than ${MAX_SARIF_RESULTS} results. Run with --json to see every finding.`,
            },
          },
        ]
      : []),
    ...(failure === undefined ? [] : [{ level: "error", message: { text: failure } }]),
  ];
  if (notifications.length === 0) return {};
  return { invocations: [{ executionSuccessful: failure === undefined, toolExecutionNotifications: notifications }] };
}

function sarifLog(run: object): string {
  return `${JSON.stringify({ $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs: [run] }, null, 2)}\n`;
}

/** SARIF 2.1.0 (OASIS), the subset GitHub code scanning accepts for upload. */
export function toSarif(report: AuditReport, options: SarifOptions = {}): string {
  const root = options.root ?? sourceRoot(report.dir);
  const findings = within(report.findings);
  const ruleIds = [...new Set(findings.map(ruleIdOf))].sort();
  return sarifLog({
    tool: { driver: driver(ruleIds) },
    originalUriBaseIds: { "%SRCROOT%": { uri: `${pathToFileURL(root).href.replace(/\/?$/, "/")}` } },
    results: resultsFor(report, findings, root, ruleIds),
    ...invocationsOf(report.findings.length - findings.length, options.failure),
  });
}

/**
 * A run that stopped before it had a report (no such folder, a broken lockfile): still a valid
 * log, so the upload step after it succeeds in reporting the failure instead of failing on an
 * empty file and hiding it. No results: nothing was checked.
 */
export function toFailureSarif(failure: string): string {
  return sarifLog({ tool: { driver: driver([]) }, results: [], ...invocationsOf(0, failure) });
}

function resultsFor(report: AuditReport, findings: readonly Finding[], root: string, ruleIds: readonly string[]) {
  const uris = findings.map((f) => artifactUri(report, root, f));
  const prints = fingerprints(findings, uris);
  return findings.map((f, i) => resultFor(f, uris[i]!, prints[i]!, ruleIds));
}

/** One SARIF result; the URI is relative to %SRCROOT%. */
function resultFor(f: Finding, uri: string, fingerprint: string, ruleIds: readonly string[]) {
  return {
    ruleId: ruleIdOf(f),
    ruleIndex: ruleIds.indexOf(ruleIdOf(f)),
    level: level(f.severity),
    message: { text: `${f.packageName ? `${f.packageName}@${f.version ?? "?"}: ` : ""}${f.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: "%SRCROOT%" },
          region: { startLine: f.location.line ?? 1 },
        },
      },
    ],
    partialFingerprints: { "parapet/v2": fingerprint },
    properties: { severity: f.severity },
  };
}
