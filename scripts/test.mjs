#!/usr/bin/env node
// Runs every compiled test file with node's own test runner.
// Usage: node scripts/test.mjs [package-dir ...]   (default: every package and example, and test/*.test.mjs)
// Node 20's `--test` does not expand globs, so the files are collected here.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const roots = process.argv.slice(2);
const dirs =
  roots.length > 0
    ? roots.map((d) => resolve(d))
    : [
        ...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d)),
        ...readdirSync(join(root, "examples")).map((d) => join(root, "examples", d)),
      ];

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.js") || name.endsWith(".test.mjs")) out.push(path);
  }
  return out;
}

// Checks of the whole repository (test/*.test.mjs, plain JavaScript) run with the full suite.
const repositoryChecks = roots.length > 0 ? [] : collect(join(root, "test"), []).filter((path) => path.endsWith(".test.mjs"));
const files = [...dirs.flatMap((dir) => collect(join(dir, "dist", "test"), [])).sort(), ...repositoryChecks.sort()];
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
