import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { type Decision, type Parapet, parapet, silentLogger } from "@parapet/core";
import { type PartialBodyReason, type ShieldOptions, type ShieldReason, shield } from "../src/index.js";
import { decodeContent } from "../src/inspect/content-encoding.js";
import { liveShieldApp, post } from "./http-app.js";

const ATTACK = JSON.stringify({ q: "1' OR '1'='1' --", h: "<script>alert(1)</script>" });
const bytes = (buffer: Buffer) => new Uint8Array(buffer);

describe("a compressed body through a real server", () => {
  const app = liveShieldApp();

  it("is inspected as the app reads it: inflated", async () => {
    const encodings: [string, Buffer][] = [
      ["gzip", gzipSync(ATTACK)],
      ["deflate", deflateSync(ATTACK)],
      ["br", brotliCompressSync(ATTACK)],
    ];
    for (const [coding, body] of encodings) {
      const answer = await post(`${app.url}/x`, { "content-type": "application/json", "content-encoding": coding }, bytes(body));
      assert.equal(answer.status, 403, `${coding}: ${JSON.stringify(answer.json)}`);
      assert.equal(answer.json.type, "SHIELD");
    }
  });

  it("lets a benign compressed body through to the app whole", async () => {
    const benign = JSON.stringify({ name: "Ada", note: "x".repeat(10_000) });
    const answer = await post(`${app.url}/x`, { "content-type": "application/json", "content-encoding": "gzip" }, bytes(gzipSync(benign)));
    assert.equal(answer.status, 200);
    assert.equal(answer.json.got, benign);
  });
});

describe("decoding a body", () => {
  let client: Parapet;
  before(() => {
    client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
  });
  after(() => client.close());

  const send = async (
    body: Uint8Array | string,
    encoding: string,
    contentType = "application/json",
    rule?: ShieldOptions,
  ): Promise<Decision> => {
    const target = rule ? parapet({ rules: [shield(rule)], logger: silentLogger }) : client;
    try {
      return await target.protect({
        method: "POST",
        url: "/x",
        ip: "203.0.113.7",
        headers: { host: "h", "content-type": contentType, "content-encoding": encoding },
        body,
      });
    } finally {
      if (target !== client) await target.close();
    }
  };

  it("undoes x-gzip and stacked codings, last applied first", async () => {
    assert.equal((await send(bytes(gzipSync(ATTACK)), "x-gzip")).conclusion, "DENY");
    const stacked = await send(bytes(gzipSync(deflateSync(ATTACK))), "deflate, gzip");
    assert.equal((stacked.reason as ShieldReason).location, "body.h");
  });

  it("stops a zip bomb at the inspection limit", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, "a"));
    const started = performance.now();
    const decoded = await decodeContent(bytes(bomb), ["gzip"], 64 * 1024, false);
    assert.equal(decoded.ok, true);
    assert.ok(decoded.bytes.length > 64 * 1024 && decoded.bytes.length <= 256 * 1024, `${decoded.bytes.length} bytes`);
    const decision = await send(bytes(bomb), "gzip", "text/plain");
    // 50 MiB of text once decoded: more than the shield reads, so the rest could hold anything.
    assert.equal(decision.conclusion, "DENY");
    assert.equal((decision.reason as PartialBodyReason).cause, "limits");
    assert.ok(performance.now() - started < 1_000, `took ${(performance.now() - started).toFixed(0)} ms`);
  });

  it("denies a text body it cannot decode, saying what to do", async () => {
    const unknown = await send(ATTACK.replace("<script>", ""), "compress");
    // A string body was handed over as text, already decoded: it is read as is.
    assert.equal(unknown.reason.type, "SHIELD");
    const sentUnknown = await send(new TextEncoder().encode('{"a":1}'), "compress");
    assert.equal(sentUnknown.conclusion, "DENY");
    const reason = sentUnknown.reason as PartialBodyReason;
    assert.equal(reason.type, "SHIELD_PARTIAL_BODY");
    assert.equal(reason.cause, "undecodable");
    assert.match(reason.message, /Content-Encoding "compress" is not one the shield decodes \(it decodes gzip, deflate, br/);
    assert.match(reason.message, /partialBody: "inspect"/);

    // The data stops before its end: what decoded is inspected, the rest is unknown.
    const corrupt = await send(bytes(gzipSync('{"a":"benign"}').subarray(0, -8)), "gzip");
    assert.equal((corrupt.reason as PartialBodyReason).cause, "undecodable");
    // The engine's own words follow where it gives some (Node 20: "unexpected end of file"; Node 24: none).
    assert.match(corrupt.reason.message, /its gzip data is corrupt( \(unexpected end of file\))?; /);

    const tooMany = await send(bytes(gzipSync('{"a":1}')), "identity, gzip, gzip, gzip, gzip");
    assert.match(tooMany.reason.message, /4 stacked Content-Encodings/);
  });

  it("still finds an attack in the part that decoded", async () => {
    const decision = await send(bytes(gzipSync(ATTACK).subarray(0, -8)), "gzip");
    assert.equal(decision.reason.type, "SHIELD");
  });

  it("reads bytes in none of the coding as they are: how express.raw() hands over a body it inflated", async () => {
    assert.equal((await send(new TextEncoder().encode('{"a":"benign"}'), "gzip")).conclusion, "ALLOW");
    assert.equal((await send(new TextEncoder().encode(ATTACK), "gzip")).reason.type, "SHIELD");
    // A wrong checksum: zlib gives nothing out, to the app either.
    const tampered = await send(bytes(Buffer.concat([gzipSync(ATTACK).subarray(0, -8), Buffer.from("junkjunk")])), "gzip");
    assert.equal(tampered.conclusion, "ALLOW");
  });

  it("lets through on what it read under partialBody: inspect", async () => {
    const decision = await send(new TextEncoder().encode('{"a":1}'), "compress", "application/json", {
      mode: "LIVE",
      partialBody: "inspect",
    });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("lets a compressed or undecodable binary upload through", async () => {
    const png = new Uint8Array(readFileSync(new URL("../../../../docs/dashboard-live.png", import.meta.url)));
    assert.equal((await send(bytes(gzipSync(png)), "gzip", "image/png")).conclusion, "ALLOW");
    assert.equal((await send(png, "compress", "image/png")).conclusion, "ALLOW");
  });
});

describe("decoding where there is no node:zlib (edge runtimes)", () => {
  it("decodes gzip and deflate with DecompressionStream and reports br as undecodable", async () => {
    const host = process as { getBuiltinModule?: unknown };
    const saved = host.getBuiltinModule;
    host.getBuiltinModule = undefined;
    try {
      // A fresh instance of the module, which has not looked for node:zlib yet.
      const fresh = `../src/inspect/content-encoding.js?edge=${Date.now()}`;
      const edge = (await import(fresh)) as typeof import("../src/inspect/content-encoding.js");
      const gzip = await edge.decodeContent(bytes(gzipSync(ATTACK)), ["gzip"], 65_536, false);
      assert.equal(new TextDecoder().decode(gzip.bytes), ATTACK);
      const deflate = await edge.decodeContent(bytes(deflateSync(ATTACK)), ["deflate"], 65_536, false);
      assert.equal(new TextDecoder().decode(deflate.bytes), ATTACK);
      const br = await edge.decodeContent(bytes(brotliCompressSync(ATTACK)), ["br"], 65_536, false);
      assert.equal(br.ok, false);
      assert.match(br.ok ? "" : br.problem, /"br" is not one the shield decodes \(it decodes gzip, deflate\)/);
    } finally {
      host.getBuiltinModule = saved;
    }
  });
});
