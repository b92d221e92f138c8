/**
 * Fastify code answers with `reply.code(…).send(…)`, which returns the reply. onDenied must take such a
 * callback as written (this file does not compile if the type rejects it) and answer with it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { DENY_HEADER, headerDenyRule } from "@parapet/node/test-suite";
import Fastify from "fastify";
import { parapetPlugin } from "../src/index.js";

describe("parapetPlugin onDenied return values", () => {
  for (const hook of ["onRequest", "preHandler"] as const) {
    it(`accepts \`(decision, request, reply) => reply.code(451).send(…)\` and sends its answer (${hook})`, async () => {
      const client = parapet({ rules: [headerDenyRule()], logger: silentLogger });
      const app = Fastify();
      await app.register(parapetPlugin, {
        client,
        hook,
        onDenied: (decision, _request, reply) => reply.code(451).send({ denied: decision.reason.type }),
      });
      app.get("/", async () => ({ reached: true }));
      try {
        const denied = await app.inject({ url: "/", headers: { [DENY_HEADER]: "1" } });
        assert.equal(denied.statusCode, 451);
        assert.deepEqual(denied.json(), { denied: "TEST_DENY" });
        assert.deepEqual((await app.inject({ url: "/" })).json(), { reached: true });
      } finally {
        await app.close();
      }
    });
  }
});
