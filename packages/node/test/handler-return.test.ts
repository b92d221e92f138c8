/**
 * The README's node:http quick start passes `(req, res, decision) => res.end("ok")`, whose value is the response
 * itself. Handlers and onDenied callbacks return whatever their last call returns; withParapet must take them
 * (this file does not compile if the types reject them) and must not hand that value on.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { withParapet } from "../src/index.js";
import { onLoopback } from "./adapter-suite.js";
import { countingRule, DENY_HEADER, headerDenyRule } from "./test-rules.js";

function client() {
  return parapet({ rules: [headerDenyRule(), countingRule(5)], logger: silentLogger });
}

describe("withParapet handler return values", () => {
  it('accepts the README\'s `(req, res, decision) => res.end("ok")` and answers with its headers', async () => {
    const server = await onLoopback(createServer(withParapet(client(), (_req, res, _decision) => res.end("ok"))));
    try {
      const response = await fetch(`${server.url}/`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "ok");
      assert.equal(response.headers.get("ratelimit"), '"test";r=4;t=60');
    } finally {
      await server.close();
    }
  });

  it("does not pass on what a synchronous handler returned, and still rejects when an async handler throws", async () => {
    const settled: unknown[] = [];
    const returnsResponse = withParapet(client(), (_req, res) => res.end("ok"));
    const throws = withParapet(client(), async (_req, res) => {
      res.end("thrown after answering");
      throw new Error("handler failed");
    });
    const server = await onLoopback(
      createServer((req, res) => {
        const handled = req.url === "/throws" ? throws(req, res) : returnsResponse(req, res);
        handled.then(
          (value) => settled.push(value),
          (error: Error) => settled.push(error.message),
        );
      }),
    );
    try {
      assert.equal(await (await fetch(`${server.url}/`)).text(), "ok");
      assert.equal(await (await fetch(`${server.url}/throws`)).text(), "thrown after answering");
      assert.deepEqual(settled, [undefined, "handler failed"]);
    } finally {
      await server.close();
    }
  });

  it("accepts an onDenied that returns the response, e.g. `res.writeHead(451).end()`", async () => {
    const handler = withParapet(client(), (_req, res) => res.end("ok"), {
      onDenied: (decision, _req, res) => res.writeHead(451, { "content-type": "text/plain" }).end(decision.reason.type),
    });
    const server = await onLoopback(createServer(handler));
    try {
      const response = await fetch(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(response.status, 451);
      assert.equal(await response.text(), "TEST_DENY");
    } finally {
      await server.close();
    }
  });
});
