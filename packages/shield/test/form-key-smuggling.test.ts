import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BodyContent } from "@parapet/core";
import { collectCandidates } from "../src/index.js";
import { resolveShieldOptions } from "../src/options.js";

const limits = resolveShieldOptions({ mode: "LIVE" }).limits;

function candidatesOf(query: string, body?: { text: string; contentType: string }): string[] {
  const request = { query, path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];
  const content: BodyContent | undefined =
    body === undefined ? undefined : { bytes: new TextEncoder().encode(body.text), truncated: false, contentType: body.contentType };
  return collectCandidates(request, content, limits).candidates.map((c) => `${c.kind} ${c.location} ${c.canonical}`);
}

describe("a value smuggled into a form key", () => {
  it("decodes a query key like a value, then inspects what follows its `=` as the field's value", () => {
    const found = candidatesOf("id%3D1+or+1%3D1");
    assert.ok(found.includes("query-key query.id=1 or 1=1 id=1 or 1=1"), found.join("\n"));
    assert.ok(found.includes("query query.id 1 or 1=1"), found.join("\n"));
  });

  it("does the same for a typed form body", () => {
    const found = candidatesOf("", { text: "a=1&pay%3D%7C%7C+x", contentType: "application/x-www-form-urlencoded" });
    assert.ok(found.includes("body body.pay || x"), found.join("\n"));
    assert.ok(found.includes("body body.a 1"), found.join("\n"));
  });

  it("reads an untyped body that starts with a name and an encoded `=` as a form", () => {
    const found = candidatesOf("", { text: "pay%3DAND+deleted+%3D+0%29", contentType: "" });
    assert.ok(found.includes("body body.pay AND deleted = 0)"), found.join("\n"));
  });

  it("adds nothing for ordinary keys, or a key ending in `=`", () => {
    assert.deepEqual(
      candidatesOf("name=ann&page=2").filter((c) => c.startsWith("query ")),
      ["query query.name ann", "query query.page 2"],
    );
    assert.deepEqual(
      candidatesOf("token%3D=x").filter((c) => c.startsWith("query ")),
      ["query query.token= x"],
    );
  });

  it("keeps an untyped body that only contains an encoded `=` later as one value", () => {
    const found = candidatesOf("", { text: "just text with %3D inside", contentType: "" });
    assert.deepEqual(found, ["body body just text with = inside"]);
  });
});
