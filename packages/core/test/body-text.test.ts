import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BodyContent, createClientIpResolver, normalizeRequest } from "../src/index.js";

const encoder = new TextEncoder();

function readPlain(body: unknown, maxBodyBytes: number): Promise<BodyContent | undefined> {
  const request = { url: "/", headers: { "content-type": "application/json" }, body, ip: "192.0.2.1" };
  return normalizeRequest(request, {}, { resolver: createClientIpResolver(), maxBodyBytes, bodyTimeoutMs: 200 }).body();
}

describe("a plain request's string body", () => {
  it("is kept as text, with the same bytes it always had, when it fits the limit", async () => {
    const body = await readPlain('{"name":"Zoë"}', 1024);
    assert.equal(body?.text, '{"name":"Zoë"}');
    assert.equal(body?.truncated, false);
    assert.equal(body?.contentType, "application/json");
    assert.deepEqual(body?.bytes, encoder.encode('{"name":"Zoë"}'));
  });

  it("is cut in UTF-8 bytes, with no text, when it is over the limit", async () => {
    const body = await readPlain("a".repeat(101), 100);
    assert.equal(body?.text, undefined);
    assert.equal(body?.truncated, true);
    assert.equal(body?.bytes.length, 100);
  });

  it("counts bytes, not characters, for text between a third of the limit and the limit", async () => {
    // 40 characters of 2 bytes each: 80 bytes, within 100; 60 of them are 120 bytes, over it.
    assert.equal((await readPlain("é".repeat(40), 100))?.text, "é".repeat(40));
    const over = await readPlain("é".repeat(60), 100);
    assert.equal(over?.text, undefined);
    assert.equal(over?.truncated, true);
    // An emoji is two UTF-16 units and four bytes: 25 of them fill 100 bytes exactly, 26 do not fit.
    assert.equal((await readPlain("😀".repeat(25), 100))?.text, "😀".repeat(25));
    assert.equal((await readPlain("😀".repeat(26), 100))?.truncated, true);
  });

  it("agrees with encoding the string, for any string and limit", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 60 }), fc.integer({ min: 1, max: 200 }), async (text, limit) => {
        const encoded = encoder.encode(text);
        const body = await readPlain(text, limit);
        assert.equal(body?.truncated, encoded.length > limit);
        assert.equal(body?.text, encoded.length <= limit ? text : undefined);
        assert.deepEqual(body?.bytes, encoded.subarray(0, limit));
      }),
    );
  });

  it("has no text when the body came as bytes", async () => {
    const body = await readPlain(encoder.encode('{"a":1}'), 1024);
    assert.equal(body?.text, undefined);
    assert.equal(new TextDecoder().decode(body?.bytes), '{"a":1}');
  });
});
