import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { type Decision, type Parapet, parapet, silentLogger } from "@parapet/core";
import { protectNode, safeDecide, safeProtect, withParapet } from "../src/index.js";
import { onLoopback, type RunningServer, runAdapterSuite } from "./adapter-suite.js";
import { LEAVING_HEADER, leaveFourTimesThenStay, whenClosed } from "./leaving-client.js";
import { countingRule, DENY_HEADER, headerDenyRule } from "./test-rules.js";

/** Reads a whole request body the plain node:http way. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function listen(server: Server): Promise<RunningServer> {
  return onLoopback(server);
}

runAdapterSuite({
  name: "node:http withParapet",
  start(client) {
    const handler = withParapet(client, async (req, res) => {
      if (req.method === "POST" && req.url === "/unread") return json(res, 401, { error: "login first" });
      if (req.method === "POST" && req.url === "/echo") {
        const received = await readJson(req).catch(() => undefined);
        return received === undefined ? json(res, 400, { error: "send JSON" }) : json(res, 200, { received });
      }
      json(res, 200, { message: "hello" });
    });
    return listen(createServer((req, res) => void handler(req, res)));
  },
});

function client(): Parapet {
  return parapet({ rules: [headerDenyRule(), countingRule(5)], logger: silentLogger });
}

describe("@parapet/node", () => {
  it("protectNode sets the RateLimit headers and leaves the answer to the caller", async () => {
    const guard = client();
    const seen: Decision[] = [];
    const server = await listen(
      createServer(async (req, res) => {
        const decision = await protectNode(guard, req, res);
        seen.push(decision);
        json(res, decision.isDenied() ? 418 : 200, { denied: decision.isDenied() });
      }),
    );
    try {
      const allowed = await fetch(`${server.url}/`);
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get("ratelimit"), '"test";r=4;t=60');
      const denied = await fetch(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(denied.status, 418, "protectNode does not answer by itself");
      assert.equal(seen[1]?.reason.type, "TEST_DENY");
    } finally {
      await server.close();
    }
  });

  it("withParapet calls onDenied instead of the default answer", async () => {
    const handler = withParapet(client(), (_req, res) => json(res, 200, {}), {
      onDenied: (decision, _req, res) => json(res, 451, { custom: decision.reason.type }),
    });
    const server = await listen(createServer((req, res) => void handler(req, res)));
    try {
      const response = await fetch(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(response.status, 451);
      assert.deepEqual(await response.json(), { custom: "TEST_DENY" });
    } finally {
      await server.close();
    }
  });

  it("still denies with the default answer when onDenied throws", async () => {
    const handler = withParapet(client(), (_req, res) => json(res, 200, {}), {
      onDenied: () => {
        throw new Error("broken custom page");
      },
    });
    const server = await listen(createServer((req, res) => void handler(req, res)));
    try {
      const response = await fetch(`${server.url}/`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { rule: string }).rule, "TEST_DENY");
    } finally {
      await server.close();
    }
  });

  it("passes values from the extra callback to the rules", async () => {
    const guard = parapet({ rules: [countingRule(1)], characteristics: ["userId"], logger: silentLogger });
    const handler = withParapet(guard, (_req, res) => json(res, 200, {}), {
      extra: (req) => ({ userId: req.headers["x-user"] }),
    });
    const server = await listen(createServer((req, res) => void handler(req, res)));
    try {
      const as = (user: string) => fetch(`${server.url}/`, { headers: { "x-user": user } }).then((r) => r.status);
      assert.deepEqual([await as("a"), await as("b"), await as("a")], [200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it("turns a throwing extra callback into an ERROR decision instead of crashing", async () => {
    const decision = await safeProtect(client(), { url: "/" }, () => {
      throw new Error("session store down");
    });
    assert.equal(decision.conclusion, "ERROR");
    assert.equal(decision.isDenied(), false);
    assert.match(decision.reason.message, /session store down/);
  });

  it("applies the client's onError and every other rule when the extra callback throws", async () => {
    const throwing = () => {
      throw new SyntaxError("Unexpected end of JSON input");
    };
    const guard = (onError: "open" | "closed") =>
      parapet({ rules: [headerDenyRule(), countingRule(5)], characteristics: ["userId"], onError, logger: silentLogger });
    const handlers = {
      closed: withParapet(guard("closed"), (_req, res) => json(res, 200, {}), { extra: throwing }),
      open: withParapet(guard("open"), (_req, res) => json(res, 200, {}), { extra: throwing }),
    };
    const server = await listen(createServer((req, res) => void handlers[req.url === "/closed" ? "closed" : "open"](req, res)));
    try {
      const closed = await fetch(`${server.url}/closed`);
      assert.equal(closed.status, 503, "failing closed, as the client says");
      assert.equal(((await closed.json()) as { rule: string }).rule, "EXTRA");
      assert.equal((await fetch(`${server.url}/open`)).status, 200, "failing open, as the client says");
      const denied = await fetch(`${server.url}/open`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(denied.status, 403, "the other rules still ran");
    } finally {
      await server.close();
    }
  });

  it("turns a rejecting client into an ERROR decision that fails open", async () => {
    const broken = { protect: () => Promise.reject(new Error("bug")) } as unknown as Parapet;
    const decision = await safeProtect(broken, { url: "/" });
    assert.equal(decision.conclusion, "ERROR");
    assert.equal(decision.isAllowed(), true);
    assert.equal(decision.results[0]?.ruleId, "ADAPTER");
  });

  it("runs the handler in the same tick when the client decides at once, and still returns a promise", async () => {
    const guard = client();
    let handled = false;
    const handler = withParapet(guard, (_req, res) => {
      handled = true;
      json(res, 200, {});
    });
    const sameTick: boolean[] = [];
    const server = await listen(
      createServer((req, res) => {
        handled = false;
        const returned = handler(req, res);
        sameTick.push(handled);
        assert.ok(returned instanceof Promise, "withParapet's handler returns a promise");
      }),
    );
    try {
      assert.equal((await fetch(`${server.url}/`)).status, 200);
      assert.deepEqual(sameTick, [true], "no microtask between the request and the handler");
    } finally {
      await server.close();
    }
  });

  it("turns a handler's synchronous throw into the returned promise's rejection, as an async handler's", async () => {
    const handler = withParapet(client(), () => {
      throw new Error("handler bug");
    });
    const server = await listen(
      createServer((req, res) => {
        let threw = false;
        let returned: Promise<void> | undefined;
        try {
          returned = handler(req, res);
        } catch {
          threw = true;
        }
        (returned ?? Promise.resolve()).then(
          () => json(res, 500, { threw, rejected: false }),
          (error: Error) => json(res, 200, { threw, rejected: error.message }),
        );
      }),
    );
    try {
      const answer = await fetch(`${server.url}/`);
      assert.deepEqual(await answer.json(), { threw: false, rejected: "handler bug" });
    } finally {
      await server.close();
    }
  });

  it("safeDecide answers a client that throws or rejects with an ERROR decision that fails open", async () => {
    const throwing = {
      decide: () => {
        throw new Error("sync bug");
      },
      protect: () => Promise.reject(new Error("unused")),
      withRule: () => throwing,
    } as unknown as Parapet;
    const thrown = safeDecide(throwing, { url: "/" });
    assert.ok(!(thrown instanceof Promise), "a synchronous failure is answered synchronously");
    assert.equal(thrown.conclusion, "ERROR");
    assert.match(thrown.reason.message, /sync bug/);
    const rejecting = { decide: () => Promise.reject(new Error("async bug")) } as unknown as Parapet;
    const rejected = await safeDecide(rejecting, { url: "/" });
    assert.equal(rejected.conclusion, "ERROR");
    assert.equal(rejected.isAllowed(), true);
    assert.match(rejected.reason.message, /async bug/);
  });

  it("does not run the handler for a client that closed its connection before the decision (its IP went with it)", async () => {
    let decided = 0;
    const guard = parapet({ rules: [countingRule(1)], logger: silentLogger, observers: [{ onDecision: () => void decided++ }] });
    let sent = 0;
    const handler = withParapet(guard, (_req, res) => {
      sent++;
      json(res, 200, { sent: true });
    });
    // The app awaits something of its own (a session) before handing over; the client does not wait for it.
    const server = await listen(
      createServer((req, res) =>
        req.headers[LEAVING_HEADER] ? whenClosed(req.socket, () => void handler(req, res)) : void handler(req, res),
      ),
    );
    try {
      const stayed = await leaveFourTimesThenStay(server.url, "/send-sms", () => decided);
      assert.equal(stayed.status, 200, "a client that waits is answered");
      assert.equal(sent, 1, "only the client that stayed reached the handler; the limit is 1 per IP");
    } finally {
      await server.close();
    }
  });

  it("rejects a missing handler at construction", () => {
    assert.throws(() => withParapet(client(), undefined as never), /`handler` must be a function/);
  });
});
