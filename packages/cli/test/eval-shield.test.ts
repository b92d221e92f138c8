import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const bin = fileURLToPath(new URL("../../bin/parapet.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "parapet-cli-eval-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function evalShield(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, "eval", "shield", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ATTACK = JSON.stringify({ id: "a1", source: "t", class: "traversal", attack: true, payload: "../../../etc/passwd" });

describe("parapet eval shield on a file that is not a corpus", () => {
  it("exits 2 with one line saying what is wrong and what a corpus is, never a stack trace or a score", () => {
    mkdirSync(join(dir, "a-folder"));
    const cases: Array<[string, RegExp]> = [
      // The node binary running this test: a binary file on every platform.
      [process.execPath, /is a binary file, not a JSON Lines corpus/],
      [file("corpus.jsonl.gz", gzipSync(`${ATTACK}\n`)), /is gzip-compressed: decompress it first/],
      // What PowerShell's `>` writes: UTF-16 with a byte order mark.
      [
        file("utf16.jsonl", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${ATTACK}\n`, "utf16le")])),
        /is UTF-16 text: save it as UTF-8/,
      ],
      [file("empty.jsonl", ""), /is empty: no cases to score/],
      [file("blank.jsonl", "\n\n  \n"), /is empty: no cases to score/],
      [join(dir, "a-folder"), /is a folder, not a corpus file/],
      [join(dir, "missing.jsonl"), /no such file/],
      [file("all-bad.jsonl", 'nope\n{"x":1}\n[1]\n'), /none of its 3 non-blank lines is a corpus case \(line 1: not valid JSON\)/],
    ];
    for (const [path, problem] of cases) {
      const { code, stdout, stderr } = evalShield(path);
      assert.equal(code, 2, `${path}: ${stderr}`);
      assert.equal(stdout, "", "no score table for a file that is not a corpus");
      const lines = stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.ok(lines[0]!.startsWith(`parapet eval shield: ${path}`), stderr);
      assert.match(stderr, problem);
      assert.match(stderr, /one JSON object a line/, "says what the expected format is");
    }
  });

  it("still scores a corpus with some invalid lines, naming a few of them, and reads past a UTF-8 byte order mark", () => {
    const bad = Array.from({ length: 30 }, (_, i) => `not json ${i}`);
    const path = file("some-bad.jsonl", `\uFEFF${ATTACK}\n${bad.join("\n")}\n`);
    const { code, stdout, stderr } = evalShield(path, "--json");
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { invalid: number; classes: Record<string, { total: number }> };
    assert.equal(result.invalid, 30);
    assert.equal(result.classes.traversal?.total, 1, "the first line, after the byte order mark, is a case");
    // A log of 30 identical complaints buries the score: the first ten, then a count.
    assert.equal(stderr.match(/: skipped: not valid JSON/g)?.length, 10);
    assert.match(stderr, /20 more invalid lines not shown/);
  });

  it("skips a line too long to be a case without holding it in memory, and scores the rest", () => {
    const huge = `{"id":"h","class":"xss","payload":"${"a".repeat(9 * 1024 * 1024)}"}`;
    const { code, stdout, stderr } = evalShield(file("long-line.jsonl", `${huge}\n${ATTACK}\n`), "--json");
    assert.equal(code, 0, stderr);
    assert.match(stderr, /:1: skipped: longer than 8 MiB/);
    assert.equal((JSON.parse(stdout) as { invalid: number }).invalid, 1);
  });
});
