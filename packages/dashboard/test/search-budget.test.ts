import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createQuery, sqliteLog } from "@parapet/observe";
import { startDashboard } from "../src/index.js";
import { bearer, get } from "./client.js";
import { quietLogger, SEED_START, seedLog } from "./helpers.js";

/**
 * A filtered search over a big range stops after a budget of rows and returns a cursor to go on from
 * (`searchedFrom`). The cursor of such a stop has an empty id ("<ts>:"); the dashboard must take it back.
 */
const driver = sqliteLog({ path: ":memory:" });
after(() => driver.close());

test("paging a budget-limited search follows every cursor the log returns, to every match", async () => {
  const seeded = await seedLog(driver);
  // A small budget, below the busiest minute (31 rows), so the seeded log (a few hundred rows) needs many stops.
  const dashboard = await startDashboard({ query: createQuery(driver, { scanBudgetRows: 20 }), port: 0, logger: quietLogger });
  try {
    const ids = new Set<string>();
    let cursor: string | undefined;
    let stops = 0;
    for (let page = 0; page < 200; page++) {
      const url = new URL("/api/decisions", dashboard.url);
      url.search = new URLSearchParams({
        from: String(SEED_START),
        to: String(SEED_START + 3_600_000),
        path: "/api/search",
        limit: "50",
        ...(cursor ? { cursor } : {}),
      }).toString();
      const reply = await get(url.href, bearer(dashboard.token));
      assert.equal(reply.status, 200, `page ${page} with cursor ${cursor}: ${reply.body}`);
      const body = reply.json<{ decisions: { id: string; path: string }[]; next?: string; searchedFrom?: number }>();
      for (const decision of body.decisions) ids.add(decision.id);
      if (body.searchedFrom !== undefined) stops++;
      cursor = body.next;
      if (!cursor) break;
    }
    assert.ok(stops > 0, "the budget stopped the search at least once");
    assert.equal(ids.size, 30, "one /api/search request a minute for 30 minutes");
  } finally {
    await dashboard.close();
    await seeded.observed.close();
  }
});
