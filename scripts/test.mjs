#!/usr/bin/env node
// Runs every compiled test file with node's own test runner.
// Usage: node scripts/test.mjs [package-dir ...]   (default: every package and example, and test/*.test.mjs)
// Node 20's `--test` does not expand globs, so the files are collected here.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { filesUnder, packageDirs } from "./repo-files.mjs";

const root = resolve(import.meta.dirname, "..");
const roots = process.argv.slice(2);
const dirs = roots.length > 0 ? roots.map((d) => resolve(d)) : packageDirs(root);

const compiledTests = dirs.flatMap((dir) => filesUnder(join(dir, "dist", "test"), (name) => name.endsWith(".test.js")));
// Checks of the whole repository (test/*.test.mjs, plain JavaScript) run with the full suite.
const repositoryChecks = roots.length > 0 ? [] : filesUnder(join(root, "test"), (name) => name.endsWith(".test.mjs"));
const files = [...compiledTests.sort(), ...repositoryChecks.sort()];
if (files.length === 0) {
  console.error("no compiled tests found: run `npm run build` first");
  process.exit(1);
}
const concurrency = process.env.PARAPET_TEST_CONCURRENCY ?? "3";
const result = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], {
  stdio: "inherit",
  cwd: root,
});
process.exit(result.status ?? 1);
