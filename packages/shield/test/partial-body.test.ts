import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type Decision, ParapetError, parapet, silentLogger } from "@parapet/core";
import { type PartialBodyPolicy, type PartialBodyReason, type ShieldOptions, type ShieldReason, shield } from "../src/index.js";
import { type App, postSlowly, startApp } from "./http-app.js";
import { fastestRunAsync } from "./time-bound.js";

const LIMIT = 1024;
const encode = (text: string) => new TextEncoder().encode(text);
const PNG = new Uint8Array(readFileSync(new URL("../../../../docs/dashboard-live.png", import.meta.url)));

/** One request through a client whose body limit is LIMIT bytes, with the shield's policy `partialBody`. */
async function send(body: Uint8Array, contentType: string, partialBody?: PartialBodyPolicy, encoding?: string): Promise<Decision> {
  const rule: ShieldOptions = partialBody === undefined ? { mode: "LIVE" } : { mode: "LIVE", partialBody };
  const client = parapet({ rules: [shield(rule)], logger: silentLogger, maxBodyBytes: LIMIT });
  const headers: Record<string, string> = { host: "h", "content-type": contentType, "content-length": String(body.length) };
  if (encoding !== undefined) headers["content-encoding"] = encoding;
  try {
    return await client.protect({ method: "POST", url: "/x", ip: "203.0.113.7", headers, body });
  } finally {
    await client.close();
  }
}

const BOUNDARY = "----form7MA4YWxk";

function multipart(...parts: { name: string; filename?: string; type?: string; content: Uint8Array | string }[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    const type = part.type === undefined ? "" : `\r\nContent-Type: ${part.type}`;
    chunks.push(encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`));
    chunks.push(typeof part.content === "string" ? encode(part.content) : part.content);
    chunks.push(encode("\r\n"));
  }
  chunks.push(encode(`--${BOUNDARY}--\r\n`));
  return Uint8Array.from(chunks.flatMap((chunk) => [...chunk]));
}

const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

describe("a body over maxBodyBytes", () => {
  it("is denied when what was cut is text, saying what happened and what to do", async () => {
    const json = encode(JSON.stringify({ a: "x".repeat(3000), b: "<script>alert(1)</script>" }));
    const decision = await send(json, "application/json");
    assert.equal(decision.conclusion, "DENY");
    assert.equal(decision.status, 403);
    const reason = decision.reason as PartialBodyReason;
    assert.equal(reason.type, "SHIELD_PARTIAL_BODY");
    assert.equal(reason.class, "partial-body");
    assert.equal(reason.cause, "cut");
    assert.equal(reason.bytesRead, LIMIT);
    assert.equal(
      reason.message,
      `body not inspected whole: ${LIMIT} of ${json.length} bytes read; it was over maxBodyBytes or the rest did not arrive within bodyTimeoutMs: raise those parapet() options, or set shield({ partialBody: "inspect" })`,
    );
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "application/xml", ""]) {
      assert.equal((await send(encode(`a=${"x".repeat(2000)}`), type)).conclusion, "DENY", type);
    }
  });

  it("is let through when it is a binary upload, unless partialBody is deny", async () => {
    assert.ok(PNG.length > LIMIT);
    assert.equal((await send(PNG, "image/png")).conclusion, "ALLOW");
    assert.equal((await send(PNG, "application/octet-stream")).conclusion, "ALLOW");
    assert.equal((await send(PNG, "image/png", "deny")).reason.type, "SHIELD_PARTIAL_BODY");
  });

  it("is judged, when compressed, by what it decodes to", async () => {
    // Base64 of compressed data: text that compresses little, so its gzip is still over the limit.
    const compressedText = new Uint8Array(gzipSync(Buffer.from(PNG).toString("base64")));
    assert.ok(compressedText.length > LIMIT);
    assert.equal((await send(compressedText, "application/octet-stream", undefined, "gzip")).reason.type, "SHIELD_PARTIAL_BODY");
    assert.equal((await send(new Uint8Array(gzipSync(PNG)), "application/octet-stream", undefined, "gzip")).conclusion, "ALLOW");
  });

  it("is judged, in a multipart upload, by the part it was cut in", async () => {
    const inFile = multipart({ name: "title", content: "holiday" }, { name: "photo", filename: "a.png", type: "image/png", content: PNG });
    assert.equal((await send(inFile, MULTIPART)).conclusion, "ALLOW");
    assert.equal((await send(inFile, MULTIPART, "deny")).conclusion, "DENY");
    // A text file is an upload too: the app stores it, its content is as long as the user's file.
    const inTextFile = multipart({ name: "notes", filename: "notes.txt", type: "text/plain", content: "line\n".repeat(500) });
    assert.equal((await send(inTextFile, MULTIPART)).conclusion, "ALLOW");

    const inField = multipart(
      { name: "photo", filename: "a.png", type: "image/png", content: PNG.subarray(0, 200) },
      { name: "bio", content: "y".repeat(2000) },
    );
    assert.equal((await send(inField, MULTIPART)).reason.type, "SHIELD_PARTIAL_BODY");
    // Cut inside the headers of a part: what it is is unknown.
    const inHead = multipart(
      { name: "a", content: "z".repeat(LIMIT - 120) },
      { name: "photo", filename: "a.png", type: "image/png", content: PNG },
    );
    assert.equal((await send(inHead, MULTIPART)).reason.type, "SHIELD_PARTIAL_BODY");
  });

  it("is judged by the part busboy reads, on the declared boundary, not the body's first line", async () => {
    // busboy skips the preamble (a fake binary "file" on the first line's boundary) and reads bio, a field, cut short.
    const head = encode('--FAKE\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n');
    const rest = encode(`\r\n--REAL\r\nContent-Disposition: form-data; name="bio"\r\n\r\n${"y".repeat(2000)}\r\n--REAL--\r\n`);
    const body = Uint8Array.from([...head, ...PNG.subarray(0, 200), ...rest]);
    assert.equal((await send(body, "multipart/form-data; boundary=REAL")).reason.type, "SHIELD_PARTIAL_BODY");
    // The same parts on the boundary the body opens with: the cut falls in the file, as before.
    const declaredFake = Uint8Array.from([...head, ...PNG.subarray(0, 2000)]);
    assert.equal((await send(declaredFake, "multipart/form-data; boundary=FAKE")).conclusion, "ALLOW");
  });

  it("is denied for the attack in what was read, before the cut", async () => {
    const decision = await send(encode(JSON.stringify({ b: "<script>alert(1)</script>", a: "x".repeat(3000) })), "application/json");
    assert.equal(decision.reason.type, "SHIELD");
    assert.equal((decision.reason as ShieldReason).truncated, true);
  });

  it("is decided on what was read under partialBody: inspect", async () => {
    const decision = await send(
      encode(JSON.stringify({ a: "x".repeat(3000), b: "<script>alert(1)</script>" })),
      "application/json",
      "inspect",
    );
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("finds the part it was cut in, in linear time", async () => {
    // A boundary of dashes over a body of dashes: a naive search from the end compares each byte ~70 times.
    const dashes = "-".repeat(68);
    const body = encode(`--${dashes}\r\nContent-Disposition: form-data; name="a"\r\n\r\n${"-".repeat(4 * 1024 * 1024)}`);
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger, maxBodyBytes: 4 * 1024 * 1024 });
    try {
      let decision: Decision | undefined;
      const elapsed = await fastestRunAsync(async () => {
        decision = await client.protect({
          method: "POST",
          url: "/x",
          ip: "203.0.113.7",
          headers: { host: "h", "content-type": `multipart/form-data; boundary=${dashes}` },
          body,
        });
      }, 250);
      assert.equal(decision?.reason.type, "SHIELD_PARTIAL_BODY");
      assert.ok(elapsed < 250, `took ${elapsed.toFixed(0)} ms`);
    } finally {
      await client.close();
    }
  });
});

describe("a body that arrives slowly, through a real server", () => {
  const rest = '"<script>alert(1)</script>"}';
  let strict: { app: App; close(): Promise<void> };
  let lenient: { app: App; close(): Promise<void> };

  async function start(partialBody?: PartialBodyPolicy) {
    const rule: ShieldOptions = partialBody === undefined ? { mode: "LIVE" } : { mode: "LIVE", partialBody };
    const client = parapet({ rules: [shield(rule)], logger: silentLogger, bodyTimeoutMs: 200 });
    const app = await startApp(client);
    return {
      app,
      close: async () => {
        await app.close();
        await client.close();
      },
    };
  }

  before(async () => {
    strict = await start();
    lenient = await start("inspect");
  });
  after(async () => {
    await strict.close();
    await lenient.close();
  });

  it("is denied when the rest of a JSON body comes after bodyTimeoutMs", async () => {
    const answer = await postSlowly(`${strict.app.url}/x`, { "content-type": "application/json" }, '{"a":', 500, rest);
    assert.equal(answer.status, 403);
    assert.equal(answer.json.type, "SHIELD_PARTIAL_BODY");
    assert.match(String(answer.json.message), /^body not inspected whole: read stopped after 5 bytes; .*bodyTimeoutMs/);
  });

  it("reaches the app whole under partialBody: inspect", async () => {
    const answer = await postSlowly(`${lenient.app.url}/x`, { "content-type": "application/json" }, '{"a":', 500, rest);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.got, `{"a":${rest}`);
  });
});

describe("the partialBody option", () => {
  it("refuses an unknown policy, naming the ones there are", () => {
    assert.throws(
      () => shield({ mode: "LIVE", partialBody: "allow" as PartialBodyPolicy }),
      (error: unknown) =>
        error instanceof ParapetError && /`partialBody` must be "deny-text" \(the default\), "deny" or "inspect"/.test(error.message),
    );
  });
});

describe("a Web Request whose body the app read before protect()", () => {
  /** A Web Request the app has read with `read` (`await request.json()`, say) before asking for a decision. */
  async function readThenProtect(body: string | Uint8Array, contentType: string, partialBody?: PartialBodyPolicy): Promise<Decision> {
    const rule: ShieldOptions = partialBody === undefined ? { mode: "LIVE" } : { mode: "LIVE", partialBody };
    const client = parapet({ rules: [shield(rule)], logger: silentLogger });
    const request = new Request("http://h.test/x", {
      method: "POST",
      headers: contentType === "" ? {} : { "content-type": contentType },
      body,
    });
    await request.arrayBuffer();
    try {
      return await client.protect(request, {}, { socketIp: "203.0.113.7" });
    } finally {
      await client.close();
    }
  }

  it("is denied as a body not inspected, saying to call protect() first (it passed as no body, attack and all)", async () => {
    const decision = await readThenProtect(JSON.stringify({ q: "1' OR '1'='1 --" }), "application/json");
    assert.equal(decision.conclusion, "DENY");
    const reason = decision.reason as PartialBodyReason;
    assert.equal(reason.type, "SHIELD_PARTIAL_BODY");
    assert.equal(reason.cause, "consumed");
    assert.equal(reason.bytesRead, 0);
    assert.match(reason.message, /read the request body before protect\(\).*call protect\(\) before/);
    for (const type of ["application/x-www-form-urlencoded", "text/plain", MULTIPART, ""])
      assert.equal((await readThenProtect("a=1", type)).conclusion, "DENY", type || "no content type");
  });

  it('is let through by default when its declared type is not text, and by partialBody: "inspect"', async () => {
    assert.equal((await readThenProtect(PNG, "image/png")).conclusion, "ALLOW");
    assert.equal((await readThenProtect(JSON.stringify({ q: "x" }), "application/json", "inspect")).conclusion, "ALLOW");
    assert.equal((await readThenProtect(PNG, "image/png", "deny")).conclusion, "DENY");
  });

  it("is told from a request without a body and from one read only after protect()", async () => {
    const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    try {
      const get = new Request("http://h.test/x?q=1");
      assert.equal((await client.protect(get, {}, { socketIp: "203.0.113.7" })).conclusion, "ALLOW");
      const post = new Request("http://h.test/x", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"q":"hello"}',
      });
      assert.equal((await client.protect(post, {}, { socketIp: "203.0.113.7" })).conclusion, "ALLOW");
      assert.deepEqual(await post.json(), { q: "hello" });
    } finally {
      await client.close();
    }
  });
});
