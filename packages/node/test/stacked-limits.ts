import assert from "node:assert/strict";
import { it } from "node:test";
import { fixedWindow, MemoryStore, type Parapet, parapet, silentLogger } from "@parapet/core";

/** An app with a site-wide Parapet (`global`) and another on a login route (`login`), listening on loopback. */
export interface StackedApp {
  /** The login route's URL. */
  readonly loginUrl: string;
  close(): Promise<void>;
}

// A multiple of 60 s: a window starts here, so every `t` is 60.
const clock = { now: () => 1_700_000_040_000 };

/** A client with one fixed window of `max` per 60 s named `name`, on its own store and the fixed clock. */
export function stackedLimit(name: string, max: number): Parapet {
  return parapet({ rules: [fixedWindow({ name, max, window: "60s" })], store: new MemoryStore(), clock, logger: silentLogger });
}

/**
 * Two Parapet middlewares on one request: the response must carry the RateLimit headers one client holding both
 * rule sets would send (the limit closest to its end, both policies), whichever of the two is the tighter.
 */
export function itReportsStackedLimits(start: (global: Parapet, login: Parapet) => Promise<StackedApp>): void {
  for (const [globalMax, loginMax] of [
    [2, 100],
    [100, 2],
  ] as const) {
    it(`reports the limit closest to its end, and both policies (global ${globalMax}, login ${loginMax})`, async () => {
      const app = await start(stackedLimit("global", globalMax), stackedLimit("login", loginMax));
      const tight = globalMax < loginMax ? "global" : "login";
      try {
        const policies = [];
        const seen = [];
        for (let i = 0; i < 3; i++) {
          const response = await fetch(app.loginUrl, { method: "POST" });
          await response.arrayBuffer();
          policies.push(response.headers.get("ratelimit-policy"));
          seen.push([response.status, response.headers.get("ratelimit"), response.headers.get("retry-after")]);
        }
        assert.deepEqual(seen, [
          [200, `"${tight}";r=1;t=60`, null],
          [200, `"${tight}";r=0;t=60`, null],
          [429, `"${tight}";r=0;t=60`, "60"],
        ]);
        assert.equal(policies[0], `"global";q=${globalMax};w=60, "login";q=${loginMax};w=60`);
      } finally {
        await app.close();
      }
    });
  }
}
