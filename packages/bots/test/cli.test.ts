import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseCorpus, run, score } from "../src/cli.js";

/** Captures what `run` writes, restoring the real streams afterwards. */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    err += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await run(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe("parapet eval bots", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "parapet-bots-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints both scores as JSON in the documented shape", async () => {
    const path = join(dir, "small.jsonl");
    const lines = [
      { ua: "curl/8.5.0", bot: true },
      { ua: "python-requests/2.31.0", bot: true },
      { ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36", bot: false },
    ];
    await writeFile(path, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const { code, out } = await capture([path, "--json"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), {
      parapet: { bots: { total: 2, detected: 2 }, humans: { total: 1, flagged: 0 } },
      isbot: { bots: { total: 2, detected: 2 }, humans: { total: 1, flagged: 0 } },
    });
  });

  it("names the bad line of a corpus and exits 2", async () => {
    const path = join(dir, "bad.jsonl");
    await writeFile(path, '{"ua":"curl/8","bot":true}\n{"ua":"x"}\n');
    const { code, err } = await capture([path]);
    assert.equal(code, 2);
    assert.match(err, /bad\.jsonl:2: needs "ua"/);
  });

  it("reports a missing file and missing arguments clearly", async () => {
    assert.match((await capture([join(dir, "nope.jsonl")])).err, /no such file/);
    assert.equal((await capture([])).code, 2);
    assert.match((await capture(["--csv", "x"])).err, /unknown option --csv/);
  });

  it("counts recall on bots and false positives on humans", () => {
    const cases = parseCorpus('{"ua":"a","bot":true}\n\n{"ua":"b","bot":false}\n{"ua":"c","bot":false}', "t");
    assert.deepEqual(
      score(cases, (ua) => ua !== "c"),
      { bots: { total: 1, detected: 1 }, humans: { total: 2, flagged: 1 } },
    );
    assert.throws(() => parseCorpus("{not json", "t"), /t:1: not valid JSON/);
  });
});
