import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bodyValues, shieldDecision } from "./helpers.js";

const valuesOf = bodyValues;

// An Elasticsearch _bulk request or a log shipper's batch: one JSON document per line. Read as one value, a finding
// named only `body` and a quote in one record could pair with a keyword in another.
const BULK = [
  { index: { _index: "contacts", _id: "1" } },
  { name: "O'Brien", note: "met at the conference" },
  { index: { _index: "contacts", _id: "2" } },
  { name: "Ann", note: "prefers email; call after 5pm" },
]
  .map((line) => JSON.stringify(line))
  .join("\n");

describe("JSON Lines bodies are read record by record", () => {
  it("walks each line's document under body.<line>, whichever JSON Lines type or plain JSON labels it", () => {
    for (const type of ["application/x-ndjson", "application/jsonl", "application/json"]) {
      const values = valuesOf(`${BULK}\n`, type);
      assert.equal(values["body.1.name"], "O'Brien", type);
      assert.equal(values["body.3.note"], "prefers email; call after 5pm", type);
      assert.equal(values["body.0.index._index"], "contacts", type);
    }
  });

  it("reads RFC 7464 sequences and keeps a line that does not parse as one value", () => {
    const values = valuesOf('\u001e{"a":"x"}\n\u001e{"b":"y"}\nnot json; id\n', "application/json-seq");
    assert.equal(values["body.0.a"], "x");
    assert.equal(values["body.1.b"], "y");
    assert.equal(values["body.2"], "not json; id");
  });

  it("reads a one-document body as JSON, and prose as text", () => {
    assert.equal(valuesOf('{"a":"x"}\n', "application/x-ndjson")["body.a"], "x");
    assert.equal(valuesOf("hello\nworld", "application/x-ndjson").body, "hello\nworld");
  });

  it("denies an injection in one record by its place", async () => {
    const body = `${BULK}\n${JSON.stringify({ index: { _id: "3" } })}\n${JSON.stringify({ name: "x' UNION SELECT password FROM users--" })}\n`;
    const allowed = await shieldDecision(
      new Request("http://app.test/_bulk", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: BULK }),
    );
    assert.equal(allowed.conclusion, "ALLOW");
    const denied = await shieldDecision(
      new Request("http://app.test/_bulk", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body }),
    );
    assert.equal(denied.conclusion, "DENY");
    assert.match(denied.reason.message, /sqli in body\.5\.name/);
  });
});
