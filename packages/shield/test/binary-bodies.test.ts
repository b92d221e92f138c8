import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type BodyContent, type Decision, type Parapet, parapet, silentLogger } from "@parapet/core";
import fc from "fast-check";
import { collectCandidates, type ShieldReason, shield } from "../src/index.js";
import { looksBinary } from "../src/inspect/content-kind.js";
import { resolveShieldOptions } from "../src/options.js";
import { liveShieldApp, post } from "./http-app.js";

const DOCS = new URL("../../../../docs/", import.meta.url);
const PNGS = readdirSync(DOCS)
  .filter((name) => name.endsWith(".png"))
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, DOCS))) }));

/** Deterministic bytes (mulberry32): a failure names a seed that reproduces it. */
function randomBytes(seed: number, length: number): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

const encode = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

describe("binary bodies", () => {
  let client: Parapet;
  before(() => {
    client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
  });
  after(() => client.close());

  const send = (body: Uint8Array | string, contentType?: string): Promise<Decision> =>
    client.protect({
      method: "POST",
      url: "/upload",
      ip: "203.0.113.7",
      headers: contentType === undefined ? { host: "h" } : { host: "h", "content-type": contentType },
      body,
    });

  it("lets every PNG of the docs through, as image/png, octet-stream or untyped", async () => {
    assert.ok(PNGS.length >= 3, "the docs hold PNG screenshots");
    for (const { name, bytes } of PNGS) {
      for (const type of ["image/png", "application/octet-stream", undefined]) {
        const decision = await send(bytes, type);
        assert.equal(decision.conclusion, "ALLOW", `${name} as ${type}: ${decision.reason.message}`);
      }
    }
  });

  it("lets random and compressed bodies through", async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const noise = randomBytes(seed, 4096);
      const asOctets = await send(noise, "application/octet-stream");
      assert.equal(asOctets.conclusion, "ALLOW", `seed ${seed}: ${asOctets.reason.message}`);
      const gzipped = new Uint8Array(gzipSync(Buffer.from(noise).toString("base64")));
      const asGzip = await send(gzipped, "application/gzip");
      assert.equal(asGzip.conclusion, "ALLOW", `gzip seed ${seed}: ${asGzip.reason.message}`);
    }
  });

  it("reads text labelled as binary as an untyped body: relabelling an attack hides nothing", async () => {
    const json = await send(encode(JSON.stringify({ q: "<script>alert(1)</script>" })), "image/png");
    assert.equal(json.conclusion, "DENY");
    assert.equal((json.reason as ShieldReason).location, "body.q");
    const form = await send(encode("name=x&q=1' OR '1'='1' --"), "application/octet-stream");
    assert.equal(form.conclusion, "DENY");
    assert.equal((form.reason as ShieldReason).location, "body.q");
    const string = await send("q=<script>alert(1)</script>", "image/jpeg");
    assert.equal((string.reason as ShieldReason).location, "body.q");
  });

  it("reads a JSON document whose strings hold binary junk, as an app parsing any type would", async () => {
    const body = concat(
      encode('{"junk":"'),
      randomBytes(7, 2048).map((b) => (b < 0x80 ? 0xff : b)),
      encode("\",\"q\":\"1' OR '1'='1' --\"}"),
    );
    const decision = await send(body, "application/octet-stream");
    assert.equal(decision.conclusion, "DENY");
    assert.equal((decision.reason as ShieldReason).location, "body.q");
  });

  it("reads text with a stray NUL or Latin-1 accents as text", async () => {
    const nul = await send(encode("file=../../../../etc/passwd\u0000.png"));
    assert.equal(nul.conclusion, "DENY");
    const latin1 = Uint8Array.from(Buffer.from("commentaire=très bien, à bientôt&q=<script>alert(1)</script>", "latin1"));
    const decision = await send(latin1, "application/octet-stream");
    assert.equal((decision.reason as ShieldReason).location, "body.q");
  });
});

describe("the binary sniff", () => {
  it("knows formats by their signature even when their first KB is text", () => {
    for (const start of ["%PDF-1.7\n", "GIF89a", "PK\u0003\u0004", "RIFF\u0000\u0000\u0000\u0000WEBP", "ID3"]) {
      assert.equal(looksBinary(`${start}${"<< /Type /Catalog >> ".repeat(100)}`), true, JSON.stringify(start));
    }
    const png = new TextDecoder().decode(PNGS[0]?.bytes.subarray(0, 16));
    assert.equal(looksBinary(`${png}${"tEXt Comment: made with a screenshot tool ".repeat(50)}`), true);
    const mp4 = new TextDecoder().decode(Uint8Array.from([0, 0, 0, 0x18, ...encode("ftypisom")]));
    assert.equal(looksBinary(mp4), true);
  });

  it("takes text, JSON, forms and markup for text", () => {
    // Any printable text: U+FFFD aside, which stands for invalid UTF-8 (a string of nothing but it is binary).
    const printable = fc.string({ unit: "grapheme", maxLength: 500 }).filter((text) => !text.includes("\uFFFD"));
    fc.assert(
      fc.property(fc.oneof(printable, fc.json(), fc.webQueryParameters(), fc.lorem()), (text) => {
        assert.equal(looksBinary(text), false, JSON.stringify(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads text under any other label as it reads an untyped body", () => {
    const limits = resolveShieldOptions({ mode: "LIVE" }).limits;
    const request = { query: "", path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];
    const read = (text: string, contentType: string) => {
      const body: BodyContent = { bytes: encode(text), truncated: false, contentType };
      return collectCandidates(request, body, limits).candidates.map((c) => `${c.kind} ${c.location} ${c.raw}`);
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), fc.string({ unit: "grapheme" }), fc.webQueryParameters()),
        fc.constantFrom("image/png", "application/octet-stream", "application/pdf", "font/woff2", "application/x-unknown"),
        (text, contentType) => {
          assert.deepEqual(read(text, contentType), read(text, ""), `${contentType}: ${JSON.stringify(text)}`);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe("a multipart upload through a real server", () => {
  const app = liveShieldApp();

  const png = () => new Blob([PNGS.find((p) => p.name === "dashboard-live.png")?.bytes ?? new Uint8Array()], { type: "image/png" });

  it("skips a PNG file's content", async () => {
    const form = new FormData();
    form.append("title", "my screenshot");
    form.append("file", png(), "dashboard-live.png");
    const answer = await post(`${app.url}/upload`, {}, form);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
  });

  it("still reads its file name and the text fields beside it", async () => {
    const climbing = new FormData();
    climbing.append("file", png(), "../../../../etc/cron.d/job");
    const byName = await post(`${app.url}/upload`, {}, climbing);
    assert.equal(byName.status, 403);
    assert.equal(byName.json.location, "body.file.filename");

    const withField = new FormData();
    withField.append("file", png(), "shot.png");
    withField.append("comment", "<script>alert(1)</script>");
    const byField = await post(`${app.url}/upload`, {}, withField);
    assert.equal(byField.status, 403);
    assert.equal(byField.json.location, "body.comment");
  });

  it("reads a file whose bytes are text, whatever its type, and a field whatever its bytes", async () => {
    const svg = new FormData();
    svg.append("file", new Blob(['<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'], { type: "image/png" }), "x.png");
    assert.equal((await post(`${app.url}/upload`, {}, svg)).status, 403);

    // A field (no file name) is a string to the app: junk after the attack does not hide it.
    const field = new FormData();
    field.append("q", new TextDecoder().decode(concat(encode("1' OR '1'='1' -- "), randomBytes(3, 512))));
    const answer = await post(`${app.url}/upload`, {}, field);
    assert.equal(answer.status, 403);
    assert.equal(answer.json.location, "body.q");
  });
});
