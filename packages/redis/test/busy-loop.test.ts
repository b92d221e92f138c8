/**
 * The per-call timeout measures Redis, not the app: when the app's own event
 * loop is busy past the deadline, replies that already arrived must be read
 * before any call is failed. Against the shared Redis on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import type { Redis } from "ioredis";
import { RedisStore } from "../src/index.js";
import { connectShared, deleteKeys, SHARED_REDIS_URL, uniquePrefix } from "./support/shared-redis.js";

const prefix = uniquePrefix("busy-loop");
let admin: Redis | string;

before(async () => {
  admin = await connectShared();
});

after(async () => {
  if (typeof admin !== "string") {
    await deleteKeys(admin, prefix);
    admin.disconnect();
  }
});

/** Blocks the event loop, as a synchronous handler (JSON of a big body, a template render) does. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

test("a reply waiting while the app blocked its event loop past the deadline still counts", async (t) => {
  if (typeof admin === "string") return t.skip(admin);
  const store = new RedisStore({ url: SHARED_REDIS_URL, prefix, timeoutMs: 50, logger: silentLogger });
  try {
    const p = parapet({ rules: [fixedWindow({ name: "busy", max: 100, window: "1h" })], store, logger: silentLogger });
    await p.protect({ method: "GET", url: "/", headers: { host: "a" }, ip: "198.51.100.50" }); // connected and warm
    const pending = p.protect({ method: "GET", url: "/", headers: { host: "a" }, ip: "198.51.100.50" });
    busyFor(120);
    const decision = await pending;
    assert.equal(decision.conclusion, "ALLOW", decision.reason.message);
  } finally {
    await store.close();
  }
});

test("a burst issued while the app keeps its loop busy is decided exactly, not failed open", async (t) => {
  if (typeof admin === "string") return t.skip(admin);
  // The timeout is generous for a loaded machine; the loop is then kept busy for longer than it, so only a
  // deadline that counts from when the app yields (not from the call) lets these calls be answered.
  const store = new RedisStore({ url: SHARED_REDIS_URL, prefix, timeoutMs: 250, logger: silentLogger });
  try {
    const p = parapet({ rules: [fixedWindow({ name: "burst", max: 100, window: "1h" })], store, logger: silentLogger });
    const request = { method: "GET", url: "/", headers: { host: "a" }, ip: "198.51.100.51" };
    await p.protect({ ...request, ip: "198.51.100.52" });
    const pending = Array.from({ length: 1_000 }, () => p.protect(request));
    busyFor(600);
    const decisions = await Promise.all(pending);
    const counts = { ALLOW: 0, DENY: 0, ERROR: 0 };
    for (const decision of decisions) counts[decision.conclusion]++;
    assert.deepEqual(counts, { ALLOW: 100, DENY: 900, ERROR: 0 });
  } finally {
    await store.close();
  }
});
