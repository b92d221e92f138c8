import { createServer, type Server } from "node:http";
import { describe, it } from "node:test";
import { parapet } from "@parapet/core";
import { protectNode, sendDenial, withParapet } from "../src/index.js";
import { onLoopback } from "./adapter-suite.js";
import { assertCutOff, assertToldToProtectFirst, EARLY_OUTPUT, recordingLogger } from "./started-response.js";
import { headerDenyRule } from "./test-rules.js";

const DENY = { "x-test-deny": "1" };

async function withServer(server: Server, run: (url: string) => Promise<void>): Promise<void> {
  const running = await onLoopback(server);
  try {
    await run(running.url);
  } finally {
    await running.close();
  }
}

describe("@parapet/node: a denial after the response started", () => {
  it("sendDenial cuts off a response the app started before protectNode resolved, and logs why", async () => {
    const logger = recordingLogger();
    const client = parapet({ rules: [headerDenyRule()], logger });
    const server = createServer(async (req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(EARLY_OUTPUT);
      const decision = await protectNode(client, req, res);
      if (decision.isDenied()) return sendDenial(res, decision, undefined, client.logger);
      res.end(" and the rest");
    });
    await withServer(server, async (url) => {
      await assertCutOff(url, { headers: DENY });
      assertToldToProtectFirst(logger);
    });
  });

  it("withParapet cuts off a response another request listener started, without calling onDenied", async () => {
    const logger = recordingLogger();
    const client = parapet({ rules: [headerDenyRule()], logger });
    let onDeniedCalls = 0;
    const handler = withParapet(client, (_req, res) => res.end("handled"), {
      onDenied: (_decision, _req, res) => {
        onDeniedCalls++;
        res.end();
      },
    });
    const server = createServer();
    server.on("request", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(EARLY_OUTPUT);
    });
    server.on("request", (req, res) => void handler(req, res));
    await withServer(server, async (url) => {
      await assertCutOff(url, { headers: DENY });
      assertToldToProtectFirst(logger);
    });
    if (onDeniedCalls !== 0) throw new Error(`onDenied ran ${onDeniedCalls} time(s) on a started response`);
  });
});
