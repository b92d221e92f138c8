// Memory held by the in-memory store after 1,000,000 distinct clients pass
// through protect() with one fixedWindow rule. Shows that the store is bounded
// by maxKeys and what one key costs (JS heap + typed arrays, after a full GC).
// Usage: npm run build && node bench/memory.mjs [keys=1000000]
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fixedWindow, MemoryStore, parapet, silentLogger } from "@parapet/core";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
const KEYS = Number(process.argv[2] ?? 1_000_000);

/** The JS heap plus typed-array backing stores, which live outside it. */
function heapMiB() {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 1024 / 1024;
}

/** 10.x.y.z, distinct for each i below 2^24. */
function ipOf(i) {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

async function measure(label, maxKeys) {
  const before = heapMiB();
  const store = maxKeys === undefined ? new MemoryStore() : new MemoryStore({ maxKeys });
  const p = parapet({ rules: [fixedWindow({ max: 100, window: "1h" })], store, logger: silentLogger });
  const request = { method: "GET", url: "/", headers: { host: "bench.test" }, ip: "" };
  const started = performance.now();
  for (let i = 0; i < KEYS; i++) {
    request.ip = ipOf(i);
    const decision = await p.protect(request);
    if (decision.conclusion !== "ALLOW") throw new Error(`unexpected ${decision.conclusion} at ${i}: ${decision.reason.message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = heapMiB();
  const row = {
    store: label,
    keysOffered: KEYS,
    keysHeld: store.size,
    evictions: store.evictions,
    memBeforeMiB: before.toFixed(1),
    memAfterMiB: after.toFixed(1),
    bytesPerKey: Math.round(((after - before) * 1024 * 1024) / store.size),
    decisionsPerSec: Math.round(KEYS / seconds),
  };
  await p.close();
  return row;
}

const rows = [];
rows.push(await measure("maxKeys default (100,000)", undefined));
rows.push(await measure("maxKeys 1,000,000", 1_000_000));
console.table(rows);
