import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Parapet, parapet, silentLogger } from "@parapet/core";
import {
  countingRule,
  DENY_HEADER,
  headerDenyRule,
  LEAVING_HEADER,
  leaveFourTimesThenStay,
  type RunningServer,
  runAdapterSuite,
  whenClosed,
} from "@parapet/node/test-suite";
import Fastify, { type FastifyInstance } from "fastify";
import { type ParapetPluginOptions, parapetPlugin } from "../src/index.js";

async function listen(app: FastifyInstance): Promise<RunningServer> {
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

async function suiteApp(client: Parapet, hook: ParapetPluginOptions["hook"]): Promise<RunningServer> {
  const app = Fastify({ forceCloseConnections: true });
  await app.register(parapetPlugin, { client, ...(hook ? { hook } : {}) });
  // Raw bytes parsed to a Buffer, so the preHandler hook sees a large body too.
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit: 8 * 1024 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  app.get("/hello", async () => ({ message: "hello" }));
  app.post("/echo", async (request) => ({ received: request.body }));
  // A route-level onRequest hook runs before Fastify reads the body.
  app.post("/unread", { onRequest: async (_request, reply) => reply.code(401).send({ error: "login first" }) }, async () => "unreachable");
  return listen(app);
}

runAdapterSuite({ name: "fastify (onRequest hook)", start: (client) => suiteApp(client, undefined) });
runAdapterSuite({ name: "fastify (preHandler hook)", start: (client) => suiteApp(client, "preHandler") });

describe("@parapet/fastify", () => {
  it("decorates request.parapet and guards routes registered in child scopes", async () => {
    const client = parapet({ rules: [countingRule(5), headerDenyRule()], logger: silentLogger });
    const app = Fastify({ forceCloseConnections: true });
    await app.register(parapetPlugin, { client });
    await app.register(async (child) => {
      child.get("/child", async (request) => ({ conclusion: request.parapet?.conclusion }));
    });
    const server = await listen(app);
    try {
      const allowed = await fetch(`${server.url}/child`);
      assert.deepEqual(await allowed.json(), { conclusion: "ALLOW" });
      assert.equal(allowed.headers.get("ratelimit"), '"test";r=4;t=60');
      assert.equal((await fetch(`${server.url}/child`, { headers: { [DENY_HEADER]: "1" } })).status, 403);
    } finally {
      await server.close();
    }
  });

  it("calls onDenied, and still denies when it throws", async () => {
    const client = parapet({ rules: [headerDenyRule()], logger: silentLogger });
    const custom = Fastify();
    await custom.register(parapetPlugin, { client, onDenied: (_d, _r, reply) => void reply.code(451).send("custom") });
    custom.get("/", async () => "ok");
    const response = await custom.inject({ url: "/", headers: { [DENY_HEADER]: "1" } });
    assert.equal(response.statusCode, 451);
    assert.equal(response.body, "custom");

    const broken = Fastify();
    await broken.register(parapetPlugin, {
      client,
      onDenied: () => {
        throw new Error("broken page");
      },
    });
    broken.get("/", async () => "ok");
    assert.equal((await broken.inject({ url: "/", headers: { [DENY_HEADER]: "1" } })).statusCode, 403);
    await Promise.all([custom.close(), broken.close()]);
  });

  for (const hook of ["onRequest", "preHandler"] as const) {
    it(`does not run the route for a client that closed its connection before the decision (${hook})`, async () => {
      let decided = 0;
      const client = parapet({ rules: [countingRule(1)], logger: silentLogger, observers: [{ onDecision: () => void decided++ }] });
      const app = Fastify({ forceCloseConnections: true });
      // An earlier hook the client does not wait for (a session lookup): it goes on once the connection is gone.
      app.addHook("onRequest", (request, _reply, done) =>
        request.headers[LEAVING_HEADER] ? whenClosed(request.raw.socket, done) : done(),
      );
      await app.register(parapetPlugin, { client, hook });
      let sent = 0;
      app.post("/send-sms", async () => {
        sent++;
        return { sent: true };
      });
      const server = await listen(app);
      try {
        const stayed = await leaveFourTimesThenStay(server.url, "/send-sms", () => decided);
        assert.equal(stayed.status, 200, "a client that waits is answered");
        assert.equal(sent, 1, "only the client that stayed reached the route; the limit is 1 per IP");
      } finally {
        await server.close();
      }
    });
  }

  it("can be registered again in a child scope, for a stricter limit there (a login route)", async () => {
    const everywhere = parapet({ rules: [countingRule(100)], logger: silentLogger });
    const login = parapet({ rules: [countingRule(2)], logger: silentLogger });
    const app = Fastify();
    await app.register(parapetPlugin, { client: everywhere });
    app.get("/", async () => "home");
    await app.register(
      async (auth) => {
        await auth.register(parapetPlugin, { client: login });
        auth.post("/login", async (request) => ({ conclusion: request.parapet?.conclusion }));
      },
      { prefix: "/auth" },
    );
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: "POST", url: "/auth/login" })).statusCode);
      assert.deepEqual(statuses, [200, 200, 429], "the scope's own limit applies");
      const home = await app.inject({ url: "/" });
      assert.equal(home.statusCode, 200, "routes outside the scope keep the outer limit only");
      assert.equal(home.headers.ratelimit, '"test";r=96;t=60', "the outer limit counted every request");
    } finally {
      await app.close();
    }
  });

  it("fails registration loudly without a client or with an unknown hook", async () => {
    const register = async (options: ParapetPluginOptions) => {
      const app = Fastify();
      await app.register(parapetPlugin, options);
      await app.ready();
    };
    await assert.rejects(register({} as ParapetPluginOptions), /pass `client`/);
    const client = parapet({ rules: [], logger: silentLogger });
    await assert.rejects(register({ client, hook: "onSend" as never }), /`hook` must be "onRequest" or "preHandler"/);
  });
});
