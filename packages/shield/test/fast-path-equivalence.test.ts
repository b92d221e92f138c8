import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BodyContent, parapet, silentLogger } from "@parapet/core";
import fc from "fast-check";
import { charClassesOf } from "../src/detectors/char-classes.js";
import { mightBeSql } from "../src/detectors/sqli/gate.js";
import { collectCandidates, type ShieldReason, shield } from "../src/index.js";
import { resolveShieldOptions } from "../src/options.js";

const limits = resolveShieldOptions({ mode: "LIVE" }).limits;
const request = { query: "", path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];

function inspect(body: BodyContent) {
  const { candidates, truncated } = collectCandidates(request, body, limits);
  return { truncated, values: candidates.map((c) => `${c.kind} ${c.location} ${c.canonical}`) };
}

/** The same body twice: as bytes only (a stream), and with the string it arrived as (a plain object). */
function bothWays(text: string, contentType: string) {
  const bytes = new TextEncoder().encode(text);
  return {
    fromBytes: inspect({ bytes, truncated: false, contentType }),
    fromText: inspect({ bytes, text, truncated: false, contentType }),
  };
}

describe("a body given as text", () => {
  it("is inspected exactly like its bytes, for JSON, forms and prose", () => {
    const bodies: [string, string][] = [
      ['{"order":{"customer":"Ann O\'Brien","lines":[{"sku":"A-1","qty":2}]}}', "application/json"],
      ['\uFEFF{"a":"1 OR 1=1"}', "application/json"],
      ['{"a":"lone \uD800 surrogate"}', "application/json"],
      ['{"name":"Zoë 😀"}', ""],
      ["q=caf%C3%A9&page=2", "application/x-www-form-urlencoded"],
      ["just some text", "text/plain"],
    ];
    for (const [text, type] of bodies) {
      const { fromBytes, fromText } = bothWays(text, type);
      assert.deepEqual(fromText, fromBytes, text);
    }
  });

  it("is inspected exactly like its bytes, for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.constantFrom("application/json", "", "text/plain"), (text, type) => {
        const { fromBytes, fromText } = bothWays(text, type);
        assert.deepEqual(fromText, fromBytes);
      }),
    );
  });

  it("is cut at the inspection limit in bytes, like its bytes, when it is larger", () => {
    // Two bytes per "é": the text is under the limit in characters but over it in bytes.
    const text = `{"note":"${"é".repeat(limits.maxBytes / 2)}","after":"1 OR 1=1"}`;
    assert.ok(text.length < limits.maxBytes);
    const { fromBytes, fromText } = bothWays(text, "application/json");
    assert.equal(fromText.truncated, true);
    assert.deepEqual(fromText, fromBytes);
  });

  it("is denied end to end when a string JSON body carries an injection", async () => {
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    try {
      const send = (coupon: string) =>
        client.protect({
          method: "POST",
          url: "/orders",
          headers: { host: "h", "content-type": "application/json" },
          body: JSON.stringify({ coupon, note: "Fits true to size" }),
          ip: "192.0.2.1",
        });
      const denied = await send("x' OR '1'='1");
      assert.equal(denied.conclusion, "DENY");
      assert.equal((denied.reason as ShieldReason).location, "body.coupon");
      assert.equal((await send("SPRING-SALE")).conclusion, "ALLOW");
    } finally {
      await client.close();
    }
  });
});

/** What the SQL pre-filter looked for before it read the character classes: its punctuation part. */
const PUNCTUATION_REGEX = /['"`();#=<>|&@*\\]|--|\/\*/;

describe("the SQL injection pre-filter", () => {
  it("lets through values with SQL punctuation, read from the character classes", () => {
    for (const value of ["1'", 'a"b', "1;", "a=b", "(1)", "#", "<", "a|b", "a&b", "@@version", "2*3", "/*x*/", "1--", "a\\b", "`t`"]) {
      assert.equal(mightBeSql(value, charClassesOf(value)), true, value);
    }
  });

  it("stops values whose only punctuation shares a class with SQL punctuation", () => {
    // `?` shares a class with `*`, a single `-` with `--`, `/` alone is not `/*`.
    for (const value of ["what?", "2024-01-05", "a-b-c", "a/b/c", "x?y", "50% off", "~home"]) {
      assert.equal(mightBeSql(value, charClassesOf(value)), false, value);
    }
  });

  it("agrees with the punctuation regex it replaces, on any punctuation and digits", () => {
    const unit = fc.constantFrom(..."'\"`();#=<>|&@*\\-/?!%$^~[]{}.,:+_ 0123456789\t".split(""));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (value) => {
        assert.equal(mightBeSql(value, charClassesOf(value)), PUNCTUATION_REGEX.test(value));
      }),
    );
  });
});
