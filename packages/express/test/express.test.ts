import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { type Parapet, parapet, silentLogger } from "@parapet/core";
import {
  bodyRule,
  countingRule,
  DENY_HEADER,
  FORBIDDEN_WORD,
  headerDenyRule,
  LEAVING_HEADER,
  leaveFourTimesThenStay,
  onLoopback,
  type RunningServer,
  runAdapterSuite,
  whenClosed,
} from "@parapet/node/test-suite";
import express, { type Express } from "express";
import { parapetMiddleware } from "../src/index.js";

function listen(app: Express): Promise<RunningServer> {
  return onLoopback(createServer(app));
}

function suiteApp(client: Parapet, parserFirst: boolean): Express {
  const app = express();
  if (parserFirst) app.use(express.json({ limit: "100kb" }));
  app.use(parapetMiddleware(client));
  if (!parserFirst) app.use(express.json({ limit: "100kb" }));
  app.get("/hello", (_req, res) => {
    res.json({ message: "hello" });
  });
  app.post("/echo", (req, res) => {
    res.json({ received: req.body });
  });
  app.post("/unread", (_req, res) => {
    res.status(401).json({ error: "login first" });
  });
  return app;
}

runAdapterSuite({ name: "express (middleware before express.json)", start: (client) => listen(suiteApp(client, false)) });
runAdapterSuite({ name: "express (middleware after express.json)", start: (client) => listen(suiteApp(client, true)) });

describe("@parapet/express", () => {
  it("leaves the decision on req.parapet for handlers", async () => {
    const client = parapet({ rules: [countingRule(5)], logger: silentLogger });
    const app = express();
    app.use(parapetMiddleware(client));
    app.get("/", (req, res) => {
      res.json({ conclusion: req.parapet?.conclusion, ip: req.parapet?.ip });
    });
    const server = await listen(app);
    try {
      assert.deepEqual(await (await fetch(server.url)).json(), { conclusion: "ALLOW", ip: "127.0.0.1" });
    } finally {
      await server.close();
    }
  });

  it("calls next() in the same tick when the client decides at once", async () => {
    const client = parapet({ rules: [countingRule(5)], logger: silentLogger });
    const app = express();
    let inMiddleware = false;
    const sameTick: boolean[] = [];
    const guard = parapetMiddleware(client);
    app.use((req, res, next) => {
      inMiddleware = true;
      const returned = guard(req, res, next);
      inMiddleware = false;
      return returned;
    });
    app.get("/", (_req, res) => {
      sameTick.push(inMiddleware);
      res.json({ ok: true });
    });
    const server = await listen(app);
    try {
      assert.equal((await fetch(server.url)).status, 200);
      assert.deepEqual(sameTick, [true], "the route ran before parapetMiddleware returned: no microtask in between");
    } finally {
      await server.close();
    }
  });

  it("sees the path the client asked for when mounted on a sub-path", async () => {
    const paths: string[] = [];
    const client = parapet({
      rules: [countingRule(5)],
      logger: silentLogger,
      observers: [{ onDecision: (_d, r) => void paths.push(r.path) }],
    });
    const app = express();
    app.use("/api", parapetMiddleware(client));
    app.get("/api/hello", (_req, res) => {
      res.json({ ok: true });
    });
    const server = await listen(app);
    try {
      assert.equal((await fetch(`${server.url}/api/hello?x=1`)).status, 200);
      assert.deepEqual(paths, ["/api/hello"], "not /hello, the path below the mount point");
    } finally {
      await server.close();
    }
  });

  it("lets a route call client.protect itself, keyed by the submitted user (a login limit)", async () => {
    // Two attempts per user name, whatever IP they come from: credential stuffing spreads over IPs.
    const loginGuard = parapet({ rules: [countingRule(2)], characteristics: ["userId"], logger: silentLogger });
    const app = express();
    app.use(express.json());
    app.post("/login", async (req, res) => {
      const user = typeof req.body?.user === "string" ? req.body.user : "";
      const decision = await loginGuard.protect(req, { userId: user });
      if (decision.isDenied()) {
        res.set(decision.headers).status(429).json({ error: "Too many attempts for this account; wait a minute." });
        return;
      }
      res.status(401).json({ error: "invalid credentials" });
    });
    const server = await listen(app);
    const attempt = async (user: string, forwarded: string) => {
      const response = await fetch(`${server.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": forwarded },
        body: JSON.stringify({ user, password: "x" }),
      });
      return response.status;
    };
    try {
      assert.deepEqual(
        [
          await attempt("alice", "1.1.1.1"),
          await attempt("alice", "2.2.2.2"),
          await attempt("alice", "3.3.3.3"),
          await attempt("bob", "1.1.1.1"),
        ],
        [401, 401, 429, 401],
      );
    } finally {
      await server.close();
      await loginGuard.close();
    }
  });

  it("calls onDenied, and still denies when it throws", async () => {
    const client = parapet({ rules: [headerDenyRule()], logger: silentLogger });
    const app = express();
    app.get("/custom", parapetMiddleware(client, { onDenied: (_d, _req, res) => void res.status(451).send("custom") }));
    app.get(
      "/broken",
      parapetMiddleware(client, {
        onDenied: () => {
          throw new Error("broken page");
        },
      }),
    );
    app.use((_req, res) => void res.json({ reached: true }));
    const server = await listen(app);
    try {
      const custom = await fetch(`${server.url}/custom`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(custom.status, 451);
      assert.equal(await custom.text(), "custom");
      const broken = await fetch(`${server.url}/broken`, { headers: { [DENY_HEADER]: "1" } });
      assert.equal(broken.status, 403);
    } finally {
      await server.close();
    }
  });

  it("does not run the app for a client that closed its connection before the decision (its IP went with it)", async () => {
    let decided = 0;
    const client = parapet({ rules: [countingRule(1)], logger: silentLogger, observers: [{ onDecision: () => void decided++ }] });
    const app = express();
    // An earlier middleware the client does not wait for (a session lookup): it goes on once the connection is gone.
    app.use((req, _res, next) => (req.headers[LEAVING_HEADER] ? whenClosed(req.socket, next) : next()));
    app.use(parapetMiddleware(client));
    let sent = 0;
    app.post("/send-sms", (_req, res) => {
      sent++;
      res.json({ sent: true });
    });
    const server = await listen(app);
    try {
      const stayed = await leaveFourTimesThenStay(server.url, "/send-sms", () => decided);
      assert.equal(stayed.status, 200, "a client that waits is answered, and counted from here");
      assert.equal(sent, 1, "only the client that stayed reached the route; the limit is 1 per IP");
    } finally {
      await server.close();
    }
  });

  it("inspects a body an Express 4 parser before it left unread (another content type), and leaves it to the next parser", async () => {
    const client = parapet({ rules: [bodyRule()], logger: silentLogger });
    const app = express();
    // What express.json() of Express 4 (body-parser 1.x) does with a body of another type: `req.body = req.body || {}`,
    // the stream left unread, and no `req._body` (its "I read it" flag).
    app.use((req, _res, next) => {
      req.body = req.body || {};
      next();
    });
    const extraSaw: unknown[] = [];
    const extra = (req: express.Request) => {
      extraSaw.push(req.body);
      return {};
    };
    app.use(parapetMiddleware(client, { extra }));
    app.use(express.urlencoded({ extended: false }));
    app.post("/comment", (req, res) => {
      res.json({ stored: req.body });
    });
    app.get("/comment", (req, res) => {
      res.json({ body: req.body });
    });
    const server = await listen(app);
    const post = (text: string) =>
      fetch(`${server.url}/comment`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ text }).toString(),
      });
    try {
      assert.equal((await post(FORBIDDEN_WORD)).status, 403, "the rule saw the form");
      const stored = await post("hello");
      assert.deepEqual(await stored.json(), { stored: { text: "hello" } }, "the parser after Parapet still reads it");
      assert.deepEqual(await (await fetch(`${server.url}/comment`)).json(), { body: {} }, "req.body is left as the parser set it");
      assert.deepEqual(extraSaw, [{}, {}, {}], "the extra callback too sees req.body as the parser set it");
    } finally {
      await server.close();
    }
  });

  it("rejects a missing client at construction with a message saying what to pass", () => {
    assert.throws(() => parapetMiddleware(undefined as never), /pass the client created with parapet/);
  });
});
