import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/parapet.js", import.meta.url));

function parapet(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the parapet command", () => {
  it("lists every subcommand with --help and exits 0", () => {
    const { code, stdout } = parapet("--help");
    assert.equal(code, 0);
    for (const command of ["audit", "eval shield", "eval bots", "dashboard"]) assert.match(stdout, new RegExp(`parapet ${command}`));
  });

  it("exits 2 with the usage on no command or an unknown one", () => {
    assert.equal(parapet().code, 2);
    const unknown = parapet("eval", "nope");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "eval nope"/);
  });

  it("dispatches to a subcommand, which reports a missing corpus without a stack trace", () => {
    const { code, stderr } = parapet("eval", "shield", "/nonexistent/corpus.jsonl");
    assert.notEqual(code, 0);
    assert.match(stderr, /corpus\.jsonl/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it("keeps its exit code and prints no stack trace when the reader closes the pipe early (| head -1)", async () => {
    // 2,000 packages resolved over plain http: megabytes of JSON, all high findings, under a critical gate.
    const dir = mkdtempSync(join(tmpdir(), "parapet-cli-pipe-"));
    const packages: Record<string, unknown> = { "": { name: "app" } };
    for (let i = 0; i < 2000; i++) packages[`node_modules/p${i}`] = { version: "1.0.0", resolved: `http://x.example/p${i}.tgz` };
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages }, null, 2));
    try {
      const args = [bin, "audit", dir, "--json", "--no-tarballs", "--no-metadata", "--fail-on", "critical"];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // What `head -1` does: read a little, then close its end.
      child.stdout.once("data", () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(stderr, "");
      assert.equal(code, 0, "the gate's own answer (nothing critical), not a crash's 1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
