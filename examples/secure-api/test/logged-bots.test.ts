import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEMO_BOT_POLICY, detectBot } from "@parapet/bots";
import { parapet, silentLogger } from "@parapet/core";
import { createQuery, observe, sqliteLog } from "@parapet/observe";

// The bot rule and the decision log are separate packages that meet only in an app like this one: what detectBot
// reports must reach the log's bot column, the rollups' bot count and the detectors, allowed bots included.
describe("bots in the decision log", () => {
  const scratch = mkdtempSync(join(tmpdir(), "secure-api-bots-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("logs the category detectBot found, for allowed and denied bots, and counts them as bots", async () => {
    const path = join(scratch, "decisions.db");
    const observed = observe({ store: sqliteLog({ path }), logger: silentLogger, handleSignals: false });
    const client = parapet({
      rules: [detectBot({ mode: "LIVE", ...DEMO_BOT_POLICY })],
      observers: [observed.observer],
      logger: silentLogger,
    });
    const browser = {
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      accept: "text/html,application/xhtml+xml",
      "accept-language": "en-US,en;q=0.9",
      "accept-encoding": "gzip, deflate, br",
      "sec-fetch-mode": "navigate",
      "sec-fetch-site": "none",
      "sec-fetch-dest": "document",
    };
    const visits = [
      { headers: { "user-agent": "curl/8.5.0" }, conclusion: "ALLOW" },
      { headers: { "user-agent": "python-requests/2.31.0" }, conclusion: "DENY" },
      { headers: browser, conclusion: "ALLOW" },
    ];
    for (const [i, visit] of visits.entries()) {
      const decision = await client.protect({
        method: "GET",
        url: "/api/hello",
        headers: { host: "api.test", ...visit.headers },
        ip: `192.0.2.${i + 1}`,
      });
      assert.equal(decision.conclusion, visit.conclusion, visit.headers["user-agent"]);
    }
    await observed.close();

    const driver = sqliteLog({ path });
    try {
      const query = createQuery(driver);
      // From the epoch: the rollups are per minute, and this minute began before the test did.
      const range = { from: 0, to: Date.now() + 60_000 };
      const byIp = new Map((await query.decisions({ ...range, limit: 10 })).decisions.map((row) => [row.ip, row.botClass]));
      assert.equal(byIp.get("192.0.2.1"), "HTTP_LIBRARY", "curl, allowed by the demo's policy, is still a bot");
      assert.equal(byIp.get("192.0.2.2"), "HTTP_LIBRARY");
      assert.equal(byIp.get("192.0.2.3"), null, "a browser with a browser's headers is a person");
      const bots = (await query.overview(range)).reduce((sum, point) => sum + point.bots, 0);
      assert.equal(bots, 2);
      assert.equal((await query.decisions({ ...range, botClass: "HTTP_LIBRARY" })).decisions.length, 2);
    } finally {
      await driver.close();
    }
  });
});
