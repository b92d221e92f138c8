import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import type { InputKind } from "../src/detectors/types.js";
import { shield } from "../src/index.js";
import { CandidateSink } from "../src/inspect/limits.js";
import { resolveShieldOptions } from "../src/options.js";

const defaults = resolveShieldOptions({ mode: "LIVE" }).limits;

// A value repeated in a request is inspected once, but only where every detector reads it the same way:
// a harmless first copy must never hide the copy that matters.
async function decide(request: { url: string; headers?: Record<string, string>; body?: string }, sensitivity?: "low" | "medium") {
  const client = parapet({ rules: [shield({ mode: "LIVE", ...(sensitivity ? { sensitivity } : {}) })], logger: silentLogger });
  const json = request.body !== undefined;
  return client.protect({
    method: json ? "POST" : "GET",
    url: request.url,
    ip: "203.0.113.9",
    headers: { ...(json ? { "content-type": "application/json" } : {}), ...request.headers },
    ...(json ? { body: request.body } : {}),
  });
}

describe("repeated values", () => {
  it("a host under an ordinary name does not hide the same host under a URL-like name (query)", async () => {
    const decision = await decide({ url: "/fetch?a=127.0.0.1&url=127.0.0.1" });
    assert.equal(decision.conclusion, "DENY");
    assert.match(decision.reason.message, /ssrf in query\.url/);
  });

  it("a host under an ordinary name does not hide the same host under a URL-like name (JSON body)", async () => {
    const decision = await decide({ url: "/hook", body: JSON.stringify({ note: "169.254.169.254", callback: "169.254.169.254" }) });
    assert.equal(decision.conclusion, "DENY");
    assert.match(decision.reason.message, /ssrf in body\.callback/);
  });

  it("the path's cautious reading does not hide a cookie's full one", async () => {
    // Shell syntax in a path is capped below "low"'s threshold; in a cookie it is not.
    const payload = encodeURIComponent("$(whoami)");
    const alone = await decide({ url: `/${payload}` }, "low");
    assert.equal(alone.conclusion, "ALLOW", "precondition: the path alone passes at low sensitivity");
    const both = await decide({ url: `/${payload}`, headers: { cookie: `session=${payload}` } }, "low");
    assert.equal(both.conclusion, "DENY");
    assert.match(both.reason.message, /cmdi in cookie\.session/);
  });

  it("drops a repeat only where it is read the same way", () => {
    const read = (adds: [InputKind, string | undefined][]) => {
      const sink = new CandidateSink(defaults);
      for (const [kind, name] of adds) sink.add(`${kind}.${name ?? ""}`, kind, "10.0.0.7", name);
      return sink.candidates.map((c) => c.location);
    };
    // Same kind, ordinary names: once.
    assert.deepEqual(
      read([
        ["query", "a"],
        ["query", "b"],
        ["cookie", "c"],
      ]),
      ["query.a"],
    );
    // A URL-like name reads more strictly: after an ordinary copy it is read again; after it, ordinary copies are repeats.
    assert.deepEqual(
      read([
        ["query", "a"],
        ["query", "url"],
      ]),
      ["query.a", "query.url"],
    );
    assert.deepEqual(
      read([
        ["query", "url"],
        ["query", "a"],
        ["body", "redirect"],
      ]),
      ["query.url"],
    );
    // Headers and the path are read more cautiously than parameters: never hidden by, nor hiding, a parameter's copy.
    assert.deepEqual(
      read([
        ["path", undefined],
        ["query", "a"],
        ["header", undefined],
        ["header", undefined],
      ]),
      ["path.", "query.a", "header."],
    );
  });
});
