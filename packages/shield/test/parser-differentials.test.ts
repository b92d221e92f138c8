import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ShieldReason } from "../src/index.js";
import { charsetOf, decodeCharset } from "../src/inspect/charset.js";
import { shieldDecisionOn } from "./helpers.js";

/** A POST of `body` (bytes as given) under `contentType`, through a default LIVE shield. */
async function post(contentType: string, body: string | Uint8Array): Promise<{ conclusion: string; location?: string; class?: string }> {
  const reason = await reasonFor(contentType, body);
  return { conclusion: reason.type === "SHIELD" ? "DENY" : "ALLOW", location: reason.location, class: reason.class };
}

async function reasonFor(contentType: string, body: string | Uint8Array): Promise<ShieldReason> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const decision = await shieldDecisionOn({
    method: "POST",
    url: "/",
    headers: { host: "localhost", "content-type": contentType },
    body: bytes,
  });
  return decision.reason as ShieldReason;
}

const utf16le = (text: string) => new Uint8Array(Buffer.from(text, "utf16le"));

// body-parser (express.json(), express.text()) decodes a body by its declared charset with iconv-lite.
describe("a body read under its declared charset, as body-parser reads it", () => {
  it("finds attacks that UTF-7 spells with base64 runs", async () => {
    // express.json() hands the app { q: "1' OR '1'='1" }; read as UTF-8 it was `1+ACc- OR …` and passed.
    const json = "application/json; charset=utf-7";
    assert.deepEqual(await post(json, '{"q":"1+ACc- OR +ACc-1+ACc-=+ACc-1"}'), { conclusion: "DENY", location: "body.q", class: "sqli" });
    assert.equal((await post(json, '{"file":"..+AC8-..+AC8-..+AC8-etc+AC8-passwd"}')).class, "traversal");
    assert.equal((await post(json, '{"+AF8AXw-proto+AF8AXw-":{"isAdmin":true}}')).class, "proto-pollution");
    assert.equal((await post(json, '{"user":{"+ACQ-ne":null}}')).class, "nosqli");
    assert.equal((await post("text/plain; charset=UTF-7", "1+ACc- OR +ACc-1+ACc-=+ACc-1")).class, "sqli");
  });

  it("reads the declared charset with the whole allowance, not what the UTF-8 reading left", async () => {
    const pad = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `value number ${i} here`]));
    const body = JSON.stringify({ ...pad, q: "1+ACc- OR +ACc-1+ACc-=+ACc-1" });
    assert.equal((await post("application/json; charset=utf-7", body)).location, "body.q");
  });

  it("walks a UTF-16 JSON body field by field", async () => {
    const attack = utf16le('{"name":"Zoë","q":"1\' OR \'1\'=\'1 --"}');
    // Read as UTF-8 it was one value, `body`, NULs and all: the field the app reads went unnamed.
    const { findings } = await reasonFor("application/json; charset=utf-16le", attack);
    assert.ok(findings.some((finding) => finding.location === "body.q" && finding.class === "sqli"));
    assert.equal((await post("application/json; charset=utf-16le", utf16le('{"name":"Zoë","city":"Zürich"}'))).conclusion, "ALLOW");
  });

  it("decodes as iconv-lite does", () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    assert.equal(decodeCharset(bytes("a+ACc-b+-c+ADw-x"), "utf-7"), "a'b+c<x");
    assert.equal(decodeCharset(bytes("a&ACc-b&-c"), "utf-7-imap"), "a'b&c");
    assert.equal(decodeCharset(utf16le("\ufeffhé"), "utf-16"), "hé");
    assert.equal(decodeCharset(new Uint8Array([0, 0, 0, 0x41, 0, 0x01, 0xf6, 0x00]), "utf-32be"), "A😀");
    assert.equal(decodeCharset(new Uint8Array([0x41, 0x85, 0xe9]), "ISO-8859-1"), "A\u0085é");
    assert.equal(decodeCharset(bytes("plain"), "utf-8"), undefined);
    assert.equal(decodeCharset(bytes("plain"), "no-such-charset"), undefined);
    assert.equal(charsetOf('application/json; Charset="UTF-16LE"'), "utf-16le");
    assert.equal(charsetOf("application/json"), undefined);
  });
});

const CRLF = "\r\n";
const MULTIPART = "multipart/form-data; boundary=YYY";
const part = (headers: string[], content: string) => `--YYY${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}${content}${CRLF}--YYY--${CRLF}`;

// undici's Request.formData() (Hono's parseBody(), Next.js) and busboy read a part's name and file name from its
// Content-Disposition header alone; undici decodes a base64 part.
describe("multipart parts read as the app's parser reads them", () => {
  it("takes a part for a file only by its Content-Disposition", async () => {
    const attack = "1' OR '1'='1";
    const named = 'Content-Disposition: form-data; name="q"';
    for (const other of ['Content-Type: text/plain; filename="a.txt"', 'X-Note: filename="a.txt"'])
      assert.equal((await post(MULTIPART, part([named, other], attack))).location, "body.q", other);
    const repeated = ['Content-Disposition: form-data; name="r"; filename="a.txt"', named];
    assert.equal((await post(MULTIPART, part(repeated, attack))).location, "body.q");
  });

  it("reads a base64 part decoded", async () => {
    const headers = ['Content-Disposition: form-data; name="q"', "Content-Transfer-Encoding: base64"];
    const decision = await post(MULTIPART, part(headers, Buffer.from("1' OR '1'='1").toString("base64")));
    assert.deepEqual(decision, { conclusion: "DENY", location: "body.q", class: "sqli" });
  });

  it("still leaves an uploaded text file's content unread", async () => {
    const headers = ['Content-Disposition: form-data; name="f"; filename="notes.txt"', "Content-Type: text/plain"];
    assert.equal((await post(MULTIPART, part(headers, "I typed 1' OR '1'='1 in the search box"))).conclusion, "ALLOW");
  });
});
