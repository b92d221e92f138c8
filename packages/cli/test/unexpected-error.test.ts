import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * CI reads `parapet`'s exit code: 0 clean, 1 findings, 2 the run could not do its job. A command that throws where no
 * one expected it did not do its job, and must not pass for "findings" (1), which a gate may treat as a known, triaged
 * state. The throw here is a real one: the command's package cannot be loaded, as after an install that broke halfway.
 */

const cliRoot = fileURLToPath(new URL("../..", import.meta.url));
const broken = mkdtempSync(join(tmpdir(), "parapet-cli-broken-"));
after(() => rmSync(broken, { recursive: true, force: true }));

test("an unexpected throw from a command exits 2, not 1, and asks for a bug report", () => {
  // The command itself, installed without the packages it dispatches to: importing @parapet/audit/cli throws.
  cpSync(join(cliRoot, "bin"), join(broken, "bin"), { recursive: true });
  cpSync(join(cliRoot, "dist", "src"), join(broken, "dist", "src"), { recursive: true });
  writeFileSync(join(broken, "package.json"), JSON.stringify({ name: "@parapet/cli", version: "0.0.0", type: "module" }));

  const result = spawnSync(process.execPath, [join(broken, "bin", "parapet.js"), "audit", "--help"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "" },
  });
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /^parapet: unexpected error: .*@parapet\/audit/);
  assert.match(result.stderr, /bug/);
  assert.match(result.stderr, /PARAPET_DEBUG=1/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace unless asked");

  const debug = spawnSync(process.execPath, [join(broken, "bin", "parapet.js"), "audit", "--help"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? "", PARAPET_DEBUG: "1" },
  });
  assert.equal(debug.status, 2);
  assert.match(debug.stderr, /\n\s+at /, "PARAPET_DEBUG=1 prints the stack trace");
});
