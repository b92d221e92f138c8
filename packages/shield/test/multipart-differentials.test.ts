import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BodyContent } from "@parapet/core";
import busboy from "busboy";
import { collectCandidates, type ShieldReason } from "../src/index.js";
import { DEFAULT_LIMITS, shieldDecisionOn } from "./helpers.js";

// The shield must read a multipart body as the app's parser splits it. busboy (multer, and the parser
// @fastify/multipart forked) takes the delimiter from Content-Type's `boundary`, skips a preamble, needs CRLF line
// breaks; undici's Request.formData() (Hono, Next.js) is stricter still. Each case below is compared with what they
// hand the app, so a case can only pass by the shield reading what the parser reads.

/** What a parser hands the app: fields as name and value, files as name and file name. */
interface Handed {
  readonly fields: readonly (readonly [string, string])[];
  readonly files: readonly (readonly [string, string])[];
}

const NOTHING: Handed = { fields: [], files: [] };

/** busboy's reading, with multer's `preservePath` on: the client's file name as sent, not only its last segment. */
function viaBusboy(body: Uint8Array, contentType: string): Promise<Handed> {
  return new Promise((resolve) => {
    const fields: [string, string][] = [];
    const files: [string, string][] = [];
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": contentType }, preservePath: true });
    } catch {
      resolve(NOTHING); // busboy throws: the app gets an error, no data
      return;
    }
    parser.on("field", (name, value) => fields.push([name, value]));
    parser.on("file", (name, stream, info) => {
      files.push([name, info.filename ?? ""]);
      stream.resume();
    });
    // Fields emitted before an error did reach the app's handler (multer fills req.body as they come).
    parser.on("error", () => resolve({ fields, files }));
    parser.on("close", () => resolve({ fields, files }));
    parser.end(Buffer.from(body));
  });
}

/** undici's reading (the Web Request every Web framework hands over); nothing when it refuses the body. */
async function viaUndici(body: Uint8Array, contentType: string): Promise<Handed> {
  try {
    const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    const fields: [string, string][] = [];
    const files: [string, string][] = [];
    for (const [name, value] of form) {
      if (typeof value === "string") fields.push([name, value]);
      else files.push([name, value.name]);
    }
    return { fields, files };
  } catch {
    return NOTHING;
  }
}

/** The body values and keys a default shield inspects in `body` sent with `contentType` (the whole header). */
function inspected(body: Uint8Array, contentType: string): { values: Set<string>; keys: Set<string> } {
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const content: BodyContent = { bytes: body, truncated: false, contentType: mediaType };
  const request = { query: "", path: "/", headers: { "content-type": contentType } } as unknown as Parameters<typeof collectCandidates>[0];
  const values = new Set<string>();
  const keys = new Set<string>();
  for (const c of collectCandidates(request, content, DEFAULT_LIMITS).candidates) {
    if (c.kind === "body") values.add(c.raw);
    if (c.kind === "body-key") keys.add(c.raw);
  }
  return { values, keys };
}

/** Every field value, field name and file name either parser hands the app that the shield did not inspect. */
async function unseen(body: Uint8Array, contentType: string): Promise<string[]> {
  const { values, keys } = inspected(body, contentType);
  const missed: string[] = [];
  for (const parser of [viaBusboy, viaUndici]) {
    const handed = await parser(body, contentType);
    for (const [name, value] of handed.fields) {
      if (!values.has(value)) missed.push(`${parser.name}: value of ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
      if (!keys.has(name)) missed.push(`${parser.name}: field name ${JSON.stringify(name)}`);
    }
    for (const [name, filename] of handed.files) {
      if (!keys.has(name)) missed.push(`${parser.name}: file field name ${JSON.stringify(name)}`);
      if (filename !== "" && !values.has(filename)) missed.push(`${parser.name}: file name ${JSON.stringify(filename)}`);
    }
  }
  return missed;
}

/** Bytes as written: each character below U+0100 one byte, so binary junk is spelled as `\x89`. */
const bytes = (text: string) => new Uint8Array(Buffer.from(text, "latin1"));
const CT = "multipart/form-data; boundary=REAL";
const SQLI = "' OR '1'='1";
/** A file part whose content looks binary: its content is not read, so whatever it swallows goes unseen. */
const PNG_HEAD =
  'Content-Disposition: form-data; name="f"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x02\x03';
const field = (name: string, value: string) => `--REAL\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

async function deniedAt(body: Uint8Array, contentType: string): Promise<string | undefined> {
  const decision = await shieldDecisionOn({ method: "POST", url: "/", headers: { "content-type": contentType }, body });
  return decision.reason.type === "SHIELD" ? (decision.reason as ShieldReason).location : undefined;
}

describe("a multipart body split on the boundary its Content-Type declares", () => {
  it("reads the fields busboy hands over behind a fake first line", async () => {
    // The shield took `--FAKE` for the delimiter: one binary "file", skipped; busboy hands the app q.
    const body = bytes(`--FAKE\r\n${PNG_HEAD}\r\n${field("q", SQLI)}--REAL--\r\n`);
    assert.deepEqual((await viaBusboy(body, CT)).fields, [["q", SQLI]]);
    assert.deepEqual(await unseen(body, CT), []);
    assert.equal(await deniedAt(body, CT), "body.q");
  });

  it("does not split a field where busboy does not: a delimiter inside a line, or after a bare LF", async () => {
    for (const glue of ["aaa", "aaa\n"]) {
      const body = bytes(`${field("q", `${glue}--REAL\r\n${PNG_HEAD} ${SQLI}`)}--REAL--\r\n`);
      assert.equal((await viaBusboy(body, CT)).fields.length, 1, JSON.stringify(glue));
      assert.deepEqual(await unseen(body, CT), [], JSON.stringify(glue));
      assert.equal(await deniedAt(body, CT), "body.q", JSON.stringify(glue));
    }
  });

  it("joins a part's unfinished headers to the next part's, as busboy does", async () => {
    // busboy's header parser runs on past the delimiter: the "file" below is field a to the app.
    const body = bytes(`--REAL\r\nContent-Disposition: form-data; name="a"\r\n--REAL\r\n${PNG_HEAD} ${SQLI}\r\n--REAL--\r\n`);
    assert.equal((await viaBusboy(body, CT)).fields[0]?.[0], "a");
    assert.deepEqual(await unseen(body, CT), []);
    assert.equal(await deniedAt(body, CT), "body.a");
  });

  it("takes the boundary quoted or bare, the parameter named in any case, the first of two", async () => {
    const cases: [string, string][] = [
      ['multipart/form-data; BOUNDARY="REAL"', "REAL"],
      ['multipart/form-data; charset=utf-8; Boundary="R\\"E\\\\A\\L"', 'R"E\\A\\L'],
      ["multipart/form-data; boundary=REAL; boundary=FAKE", "REAL"],
    ];
    for (const [type, boundary] of cases) {
      const body = bytes(`--FAKE\r\n${PNG_HEAD}\r\n${field("q", SQLI)}--REAL--\r\n`.replaceAll("REAL", boundary));
      assert.equal((await viaBusboy(body, type)).fields.length, 1, type);
      assert.deepEqual(await unseen(body, type), [], type);
    }
  });

  it("reads what lies outside the parts as text, and a body with no usable boundary whole", async () => {
    const body = bytes(`note: ${SQLI}\r\n${field("a", "1")}--REAL--\r\n`);
    assert.equal(await deniedAt(body, CT), "body");
    assert.equal(await deniedAt(bytes(`${field("a", "1")}--REAL--\r\n${SQLI}`), CT), "body");
    assert.equal(await deniedAt(bytes(`a=1&q=${encodeURIComponent(SQLI)}`), "multipart/form-data"), "body");
  });
});

describe("part headers read as busboy and undici read them", () => {
  const cases: Record<string, string> = {
    "a name with quoted-string escapes": `--REAL\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nv\r\n--REAL--\r\n`,
    "a bare (token) name": `--REAL\r\nContent-Disposition: form-data; name=abc\r\n\r\nv\r\n--REAL--\r\n`,
    "a name undici percent-decodes": `--REAL\r\nContent-Disposition: form-data; name="a%22b"; filename="x%22.png"\r\n\r\nv\r\n--REAL--\r\n`,
    "an RFC 5987 filename*": `--REAL\r\nContent-Disposition: form-data; name="f"; filename="a.png"; filename*=UTF-8''..%2F..%2Fetc%2Fcron.d%2Fx\r\n\r\nv\r\n--REAL--\r\n`,
    "two Content-Disposition headers": `--REAL\r\nContent-Disposition: form-data; name="q"\r\nContent-Disposition: form-data; name="f"; filename="x.png"\r\n\r\nv\r\n--REAL--\r\n`,
    "a folded Content-Disposition": `--REAL\r\nContent-Disposition: form-data;\r\n name="q"\r\n\r\nv\r\n--REAL--\r\n`,
    "a header name spaced from its colon": `--REAL\r\nContent-Disposition : form-data; name="q"\r\n\r\nv\r\n--REAL--\r\n`,
    "content starting with blank space": `--REAL\r\nContent-Disposition: form-data; name="q"\r\n\r\n \t v\r\n--REAL--\r\n`,
  };
  for (const [what, body] of Object.entries(cases)) {
    it(`sees every name and value with ${what}`, async () => {
      assert.deepEqual(await unseen(bytes(body), CT), []);
    });
  }
});
