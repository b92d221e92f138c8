import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { lockfileFor } from "./registry-server.js";
import { runCli, startCli } from "./run-cli.js";
import { tempDir } from "./temp-dir.js";

/**
 * CI runs `parapet audit --sarif > audit.sarif` and then uploads the file with `if: always()`.
 * A run that exits 2 with an empty file made the upload step fail on invalid SARIF, and that
 * error hid the audit's own. These runs cannot complete: each must still leave a document.
 */

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string } };
    results: Array<{ ruleId: string }>;
    invocations?: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: Array<{ level: string; message: { text: string } }> }>;
  }>;
}

/** Port 1 on the loopback: nothing listens there, so every fetch is refused at once. */
const UNREACHABLE = "http://127.0.0.1:1/";
const lockWithOnePackage = () => lockfileFor([{ name: "tiny-pad", version: "1.0.0", integrity: "sha512-AAAA" }]);

function failedRun(stdout: string) {
  const sarif = JSON.parse(stdout) as SarifLog;
  assert.equal(sarif.version, "2.1.0");
  assert.equal(sarif.runs.length, 1);
  const run = sarif.runs[0]!;
  assert.equal(run.tool.driver.name, "parapet-audit");
  const invocation = run.invocations?.[0];
  assert.equal(invocation?.executionSuccessful, false, "the run says it did not complete");
  const errors = (invocation?.toolExecutionNotifications ?? []).filter((n) => n.level === "error");
  assert.equal(errors.length, 1);
  return { run, error: errors[0]!.message.text };
}

test("--sarif still writes a valid SARIF log, marked unsuccessful, when the run fails before it has a report", async () => {
  const dir = tempDir();
  const cases: Array<[string[], RegExp]> = [
    [[join(dir, "nope")], /nope: no such folder/],
    [[tempDir({ "package-lock.json": '{\n  "lockfileVersion": 3,\n  oops\n}' })], /package-lock\.json:3: not valid JSON/],
    [[tempDir({ "package.json": "{}" })], /no lockfile in/],
    // A typo in a CI variable is a usage error, found before any work: the upload step must still get a file.
    [[tempDir({ "package-lock.json": lockfileFor([]) }), "--fail-on", "severe"], /--fail-on must be one of/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, "--sarif", "--no-tarballs", "--no-metadata"]);
    assert.equal(result.code, 2, result.stderr);
    const { run, error } = failedRun(result.stdout);
    assert.match(error, message);
    assert.deepEqual(run.results, [], "nothing was checked, so nothing is reported");
    assert.match(result.stderr, message, "the CI log still shows the error");
  }
});

test("--json writes one object with an `error` when the run fails before it has a report", async () => {
  const result = await runCli([join(tempDir(), "nope"), "--json", "--no-tarballs", "--no-metadata"]);
  assert.equal(result.code, 2);
  const report = JSON.parse(result.stdout) as { tool: string; error: { code: string; message: string }; findings?: unknown };
  assert.equal(report.tool, "parapet-audit");
  assert.equal(report.error.code, "PARAPET_E_AUDIT_NO_LOCKFILE");
  assert.match(report.error.message, /nope: no such folder/);
  assert.equal(report.findings, undefined, "no report, so no findings: an empty list would read as a clean project");
});

test("an unreachable registry keeps the findings so far and marks the run unsuccessful, in SARIF and JSON", async () => {
  const dir = tempDir({ "package-lock.json": lockWithOnePackage() });
  const common = [dir, "--registry", UNREACHABLE, "--no-metadata", "--cache-dir", tempDir()];
  const sarifRun = await runCli([...common, "--sarif"]);
  assert.equal(sarifRun.code, 2, sarifRun.stderr);
  const { run, error } = failedRun(sarifRun.stdout);
  assert.match(error, /none of the 1 tarballs could be fetched/);
  assert.deepEqual(
    run.results.map((r) => r.ruleId),
    ["tarball-unreadable/medium"],
  );

  const jsonRun = await runCli([...common, "--json"]);
  assert.equal(jsonRun.code, 2);
  const report = JSON.parse(jsonRun.stdout) as { error: { code: string; message: string }; findings: Array<{ checkId: string }> };
  assert.equal(report.error.code, "PARAPET_E_AUDIT_NO_TARBALLS");
  assert.match(report.error.message, /none of the 1 tarballs could be fetched/);
  assert.deepEqual(
    report.findings.map((f) => f.checkId),
    ["tarball-unreadable"],
  );
});

test("an unknown option exits 2 naming the option and pointing at --help, and --sarif still gets its log", async () => {
  const dir = tempDir({ "package-lock.json": lockfileFor([]) });
  const plain = await runCli([dir, "--formt", "sarif"]);
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /^parapet audit: unknown option --formt\. Run `parapet audit --help` to see the options\.\n$/);
  const sarif = await runCli([dir, "--sarif", "--no-tarball"]);
  assert.equal(sarif.code, 2);
  assert.match(failedRun(sarif.stdout).error, /unknown option --no-tarball/);
});

test("SIGTERM or Ctrl-C mid-run (a cancelled CI job) still leaves a SARIF log and exits 143 or 130", async () => {
  // A registry that takes each request and never answers: the run is stuck fetching when the signal comes.
  let onRequest: () => void = () => {};
  const silent = createServer(() => onRequest());
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    for (const [signal, code] of [
      ["SIGTERM", 143],
      ["SIGINT", 130],
    ] as const) {
      const dir = tempDir({ "package-lock.json": lockWithOnePackage() });
      const reached = new Promise<void>((resolve) => {
        onRequest = resolve;
      });
      const { child, result } = startCli([dir, "--sarif", "--registry", url, "--cache-dir", tempDir()]);
      await reached;
      child.kill(signal);
      const { code: exit, stdout, stderr } = await result;
      assert.equal(exit, code, stderr);
      assert.match(failedRun(stdout).error, new RegExp(`interrupted \\(${signal}\\)`));
      assert.match(stderr, /interrupted/);
    }
  } finally {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  }
});
