import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BodyContent, parapet, silentLogger } from "../src/index.js";

function bodyReadingClient(maxBodyBytes: number, onRead: (content: BodyContent | undefined) => void) {
  return parapet({
    rules: [
      {
        type: "BODY_PROBE",
        mode: "LIVE",
        cost: 5,
        async evaluate(context) {
          onRead(await context.request.body());
          return { conclusion: "ALLOW", reason: { type: "TEST", message: "" } };
        },
      },
    ],
    maxBodyBytes,
    logger: silentLogger,
  });
}

describe("reading a Web Request body", () => {
  it("reads a clone, so the app can still read the original", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(1024, (content) => {
      inspected = content;
    });
    const request = new Request("https://example.test/login?x=1", {
      method: "POST",
      body: '{"user":"alice"}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    const decision = await p.protect(request, {}, { socketIp: "192.0.2.1" });
    assert.equal(decision.ip, "192.0.2.1");
    assert.equal(new TextDecoder().decode(inspected?.bytes), '{"user":"alice"}');
    assert.equal(inspected?.contentType, "application/json");
    assert.deepEqual(await request.json(), { user: "alice" });
  });

  it("truncates a large body for inspection and leaves the original whole", async () => {
    let inspected: BodyContent | undefined;
    const p = bodyReadingClient(100, (content) => {
      inspected = content;
    });
    const request = new Request("https://example.test/", { method: "POST", body: "z".repeat(100_000) });
    await p.protect(request, {}, { socketIp: "192.0.2.1" });
    assert.equal(inspected?.bytes.length, 100);
    assert.equal(inspected?.truncated, true);
    assert.equal((await request.text()).length, 100_000);
  });

  it("keeps what a stream gave before it failed, as a cut-off body", async () => {
    // A client that aborts mid-body errors the stream; the chunks before the error still reach an app that streams them.
    let inspected: BodyContent | undefined = { bytes: new Uint8Array(), truncated: false, contentType: "" };
    const p = bodyReadingClient(1024, (content) => {
      inspected = content;
    });
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("client aborted"));
        sent = true;
        controller.enqueue(new TextEncoder().encode("q=' OR 1=1 --"));
      },
    });
    const request = new Request("https://example.test/", { method: "POST", body, duplex: "half" } as RequestInit);
    await p.protect(request, {}, { socketIp: "192.0.2.1" });
    assert.equal(new TextDecoder().decode(inspected?.bytes), "q=' OR 1=1 --");
    assert.equal(inspected?.truncated, true);
  });

  it("says a body the app read (or locked) before protect() was consumed, not that there was none", async () => {
    const seen: (BodyContent | undefined)[] = [];
    const p = bodyReadingClient(1024, (content) => seen.push(content));
    const read = new Request("https://example.test/x", { method: "POST", body: "q=1", headers: { "content-type": "text/plain" } });
    await read.text();
    const locked = new Request("https://example.test/x", { method: "POST", body: "q=1" });
    locked.body?.getReader();
    for (const request of [read, locked]) await p.protect(request, {}, { socketIp: "192.0.2.1" });
    assert.deepEqual(
      seen.map((content) => content && { bytes: content.bytes.length, truncated: content.truncated, consumed: content.consumed }),
      [
        { bytes: 0, truncated: true, consumed: true },
        { bytes: 0, truncated: true, consumed: true },
      ],
    );
    await p.protect(new Request("https://example.test/x"), {}, { socketIp: "192.0.2.1" });
    assert.equal(seen[2], undefined, "a request without a body has none");
  });
});
