import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "./run-cli.js";
import { tempDir } from "./temp-dir.js";

/** A v1 lockfile nesting `a` inside itself `depth` times: each level adds `/node_modules/a` to the install path. */
function nestedV1(depth: number): string {
  let deps: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) deps = { a: { version: "1.0.0", ...(i === 0 ? {} : { dependencies: deps }) } };
  return JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 1, dependencies: deps });
}

// Each case is small on disk; before the bound, 20,000 levels (1 MB) spelled 20,000 paths of 300 KB and the
// report could not be rendered (RangeError, exit 1). Install paths grow with the square of the depth, so
// these tests measure the path lengths, not the time or memory.

test("a v1 lockfile nested past any filesystem path is a lockfile error (exit 2), not gigabytes of paths", async () => {
  const result = await runCli([tempDir({ "package-lock.json": nestedV1(300) }), "--no-tarballs", "--no-metadata", "--json"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /package-lock\.json: dependency "a" is nested 27\d levels deep, past any path a filesystem holds/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal((JSON.parse(result.stdout) as { error: { code: string } }).error.code, "PARAPET_E_AUDIT_LOCKFILE_PARSE");
});

test("a deep install path that a filesystem can hold is shown by its two ends in each message", async () => {
  const result = await runCli([tempDir({ "package-lock.json": nestedV1(250) }), "--no-tarballs", "--no-metadata", "--json"]);
  const report = JSON.parse(result.stdout) as { findings: Array<{ message: string }> };
  assert.equal(report.findings.length, 250, result.stderr);
  const deepest = report.findings.find((f) => f.message.includes("(250 levels)"))?.message ?? "";
  assert.match(deepest, /^at node_modules\/a\/node_modules\/a.*…\(250 levels\)….*\/node_modules\/a: /);
  for (const { message } of report.findings) assert.ok(message.length < 600, `${message.length} characters`);
});
