import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
});
