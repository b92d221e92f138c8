import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bodyValues } from "./helpers.js";

const valuesOf = (text: string, contentType: string) => bodyValues(text, contentType, "canonical");

describe("body formats", () => {
  it("reads an untyped body that looks like a form as form fields", () => {
    assert.deepEqual(valuesOf("code=time+ifconfig&x=1", ""), { "body.code": "time ifconfig", "body.x": "1" });
  });

  it("keeps an untyped body that is not a form as one value", () => {
    assert.deepEqual(valuesOf("just some text", ""), { body: "just some text" });
  });

  it("reads XML attribute values and text, with entities decoded", () => {
    const values = valuesOf(
      '<?xml version="1.0"?><root><a probe="x&amp;y" xmlns="urn:z">hello</a><![CDATA[raw <b>]]></root>',
      "application/xml",
    );
    assert.equal(values["body.a.probe"], "x&y");
    assert.equal(values["body.a"], "hello");
    assert.equal(values["body.root"], "raw <b>");
    assert.equal(values["body.a.xmlns"], undefined);
  });

  it("still inspects the tail of an unterminated XML tag", () => {
    const values = valuesOf('<root><a probe="; id"', "text/xml");
    assert.ok(Object.values(values).some((v) => v.includes("; id")));
  });

  it("does not hang on adversarial XML", () => {
    const started = performance.now();
    valuesOf(`${"<a x='1' ".repeat(20_000)}`, "application/xml");
    valuesOf(`<a ${"b=".repeat(20_000)}>`, "application/xml");
    assert.ok(performance.now() - started < 2_000);
  });
});
