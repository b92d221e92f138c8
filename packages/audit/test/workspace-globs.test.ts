import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLockfile } from "../src/lockfiles/index.js";
import { workspaceMatcher } from "../src/lockfiles/workspace-glob.js";

test("workspace globs match as npm's do: * and ? within a segment, ** across segments", () => {
  const cases: [glob: string, folder: string, matches: boolean][] = [
    ["packages/*", "packages/api", true],
    ["packages/*", "packages/api/sub", false],
    ["packages/*", "packages", false],
    ["packages/*", "other/api", false],
    ["./packages/*", "packages/api", true],
    ["packages/*/", "packages/api", true],
    ["packages/*-core", "packages/auth-core", true],
    ["packages/*-core", "packages/auth-corex", false],
    ["libs/?-ui", "libs/a-ui", true],
    ["libs/?-ui", "libs/ab-ui", false],
    ["apps/**", "apps/web", true],
    ["apps/**", "apps/web/admin", true],
    ["apps/**", "appsx/web", false],
    ["apps/**/service", "apps/service", true],
    ["apps/**/service", "apps/a/b/service", true],
    ["apps/**/service", "apps/a/b/service/x", false],
    ["**/pkg", "deep/down/pkg", true],
    ["tools/cli", "tools/cli", true],
    ["tools/cli", "tools/cli2", false],
    // Regex metacharacters are plain characters in a glob.
    ["pkgs/a.b+(c)", "pkgs/a.b+(c)", true],
    ["pkgs/a.b", "pkgs/aXb", false],
    ["../outside", "../outside", true],
  ];
  for (const [glob, folder, expected] of cases) {
    assert.equal(workspaceMatcher(glob)(folder), expected, `${glob} against ${folder}`);
  }
});

test("a lockfile's workspace glob cannot hold the audit: many stars against a long folder name are decided at once", () => {
  // As a regex ([^/]*a…b, .*a…b) each of these took minutes on the 200-character folder; the walk is linear per star.
  const folder = `packages/${"a".repeat(5_000)}`;
  const globs = [`packages/${"*a".repeat(40)}b`, `${"**/a*/".repeat(20)}b`, `packages/${"?*".repeat(40)}b`];
  const lockfile = JSON.stringify({
    name: "app",
    lockfileVersion: 3,
    packages: {
      "": { name: "app", version: "1.0.0", workspaces: globs },
      [folder]: { version: "1.0.0", hasInstallScript: true },
      "node_modules/long": { resolved: folder, link: true },
    },
  });
  const started = performance.now();
  const lock = parseLockfile("package-lock.json", lockfile);
  const elapsed = performance.now() - started;
  // No glob matches (each ends in a "b" the folder lacks), so the linked folder is reported as a local package.
  assert.deepEqual(
    lock.packages.map((p) => [p.source, p.installPath]),
    [["file", folder]],
  );
  assert.ok(elapsed < 1_000, `parsed in ${elapsed.toFixed(0)} ms`);
  for (const glob of globs) {
    const t = performance.now();
    assert.equal(workspaceMatcher(glob)(`${folder}/${"a".repeat(5_000)}`), false);
    assert.ok(performance.now() - t < 1_000, `${glob.slice(0, 30)}… decided in ${(performance.now() - t).toFixed(0)} ms`);
  }
});
