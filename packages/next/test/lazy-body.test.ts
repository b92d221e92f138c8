import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { assertLazyBodiesArrive, bodyRule, LAZY_BODY_LIMIT, lazyEchoResponse } from "@parapet/node/test-suite";
import { withParapet } from "../src/index.js";
import { peers, startBridge } from "./next-bridge.js";

describe("@parapet/next withParapet with a route handler that reads the body after it returned", () => {
  it("leaves the whole body for the handler's stream, under and over the body limit", async () => {
    const client = parapet({ rules: [bodyRule()], logger: silentLogger, maxBodyBytes: LAZY_BODY_LIMIT });
    const lazy = withParapet(client, async (request: Request) => lazyEchoResponse(() => request.text()), {
      socketIp: (request) => peers.get(request),
    });
    const server = await startBridge({ "POST /lazy": lazy });
    try {
      await assertLazyBodiesArrive(`${server.url}/lazy`);
    } finally {
      await server.close();
    }
  });
});
