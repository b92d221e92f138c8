import assert from "node:assert/strict";
import { test } from "node:test";
import { fixedWindow, parapet, silentLogger, tokenBucket } from "../src/index.js";

const request = { method: "GET", url: "/", headers: {}, ip: "192.0.2.1" };

test("a denial's message counts in the singular when the limit is one", async () => {
  const messages = async (rule: Parameters<typeof parapet>[0]["rules"][number]) => {
    const client = parapet({ rules: [rule], logger: silentLogger });
    await client.protect(request);
    return (await client.protect(request)).reason.message;
  };
  assert.match(await messages(fixedWindow({ max: 1, window: "60s" })), /^Rate limit of 1 request per 60s exceeded/);
  assert.match(await messages(tokenBucket({ capacity: 1, refillRate: 1, interval: "1m" })), /^Rate limit of 1 token \(refilled/);
  const two = parapet({ rules: [fixedWindow({ max: 2, window: "60s" })], logger: silentLogger });
  for (let i = 0; i < 2; i++) await two.protect(request);
  assert.match((await two.protect(request)).reason.message, /^Rate limit of 2 requests per 60s exceeded/);
});
