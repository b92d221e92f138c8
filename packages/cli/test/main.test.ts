import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("prints its package's version with --version, -v and version, and exits 0", () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    for (const flag of ["--version", "-v", "version"]) {
      const { code, stdout, stderr } = parapet(flag);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, `${version}\n`);
    }
  });

  it("lists a command group's subcommands on `parapet eval --help` (exit 0) and on a bare `parapet eval` (exit 2)", () => {
    const help = parapet("eval", "--help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /parapet eval shield <corpus>/);
    assert.match(help.stdout, /parapet eval bots <corpus>/);
    assert.doesNotMatch(help.stdout, /parapet audit/, "only the group's own commands");
    const bare = parapet("eval");
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /parapet eval shield <corpus>/);
  });

  it("prints each subcommand's usage on --help and exits 0", () => {
    for (const command of [["audit"], ["eval", "shield"]]) {
      const { code, stdout } = parapet(...command, "--help");
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^usage: parapet ${command.join(" ")}`));
    }
  });

  it("exits 2 on an unknown option, naming it and pointing at --help", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--verbose"], /^parapet: unknown option --verbose\. Run `parapet --help` to see the commands\.\n$/],
      [["audit", "--verbose"], /^parapet audit: unknown option --verbose\. Run `parapet audit --help` to see the options\.\n$/],
      [
        ["eval", "shield", "--verbose"],
        /^parapet eval shield: unknown option --verbose\. Run `parapet eval shield --help` to see the options\.\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = parapet(...args);
      assert.equal(code, 2, args.join(" "));
      assert.match(stderr, message);
    }
  });

  it("dispatches to a subcommand, which reports a missing corpus without a stack trace", () => {
    const { code, stderr } = parapet("eval", "shield", "/nonexistent/corpus.jsonl");
    assert.notEqual(code, 0);
    assert.match(stderr, /corpus\.jsonl/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it("exits 2, never 1, with one line and no stack trace when the output cannot be written (a full disk)", {
    skip: !existsSync("/dev/full") && "no /dev/full here",
  }, () => {
    // CI reads exit 1 as "findings"; `parapet audit --sarif > audit.sarif` on a full disk crashed with a stack and 1.
    const full = openSync("/dev/full", "w");
    try {
      for (const args of [["--version"], ["audit", "--help"]]) {
        const result = spawnSync(process.execPath, [bin, ...args], { stdio: ["ignore", full, "pipe"], encoding: "utf8", timeout: 30_000 });
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, /^parapet: cannot write the output \(ENOSPC: no space left on device\)\. Free some space/);
        assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      }
    } finally {
      closeSync(full);
    }
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
