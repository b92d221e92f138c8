import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { fixedWindow } from "@parapet/core";
import { observe, sqliteLog } from "../src/index.js";
import { parapet, request, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());

test("a denial is logged with the status the adapters answer with, unless the app records its own", async () => {
  const path = join(dir.path, "denials.db");
  const observed = observe({ store: sqliteLog({ path }), handleSignals: false });
  await observed.ready;
  const client = parapet({ rules: [fixedWindow({ max: 1, window: "1h" })], observers: [observed.observer] });
  const allowed = await client.protect(request("203.0.113.9", "/a"));
  const limited = await client.protect(request("203.0.113.9", "/b"));
  const answeredByApp = await client.protect(request("203.0.113.9", "/c"));
  assert.deepEqual([allowed.isDenied(), limited.status, answeredByApp.status], [false, 429, 429]);
  // Only the app that answers a denial itself reports a status; an adapter's 429 is never reported.
  observed.recordStatus(answeredByApp, 451);
  await observed.close();

  const reader = sqliteLog({ path });
  const rows = await reader.all<{ id: string; status: number | null }>("SELECT id, status FROM parapet_decisions");
  await reader.close();
  const statusOf = new Map(rows.map((row) => [row.id, row.status]));
  assert.equal(statusOf.get(allowed.id), null, "an allowed request's status is the app's to report");
  assert.equal(statusOf.get(limited.id), 429);
  assert.equal(statusOf.get(answeredByApp.id), 451);
});
