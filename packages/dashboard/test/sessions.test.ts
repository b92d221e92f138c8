import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { sqliteLog } from "@parapet/observe";
import { type Dashboard, startDashboard } from "../src/index.js";
import { createLoginThrottle } from "../src/login-throttle.js";
import { SESSION_LIMITS } from "../src/sessions.js";
import { bearer, get, login } from "./client.js";
import { freshMigrated, manualClock, quietLogger } from "./helpers.js";

/** Browser sessions, logout and the login throttle, over real HTTP with the dashboard's clock driven by the test. */
const driver = sqliteLog({ path: ":memory:" });
const clock = manualClock(Date.now());
let dashboard: Dashboard;
const at = (path: string) => new URL(path, dashboard.url).href;
const MINUTE = 60_000;

before(async () => {
  dashboard = await startDashboard({ log: await freshMigrated(driver), port: 0, logger: quietLogger, clock });
});
after(async () => {
  await dashboard.close();
  await driver.close();
});
// A day between tests: sessions of the previous test are over and the throttle has forgotten its wrong tokens.
beforeEach(() => clock.advance(24 * 60 * MINUTE));

const overview = async (headers: Record<string, string>) => (await get(at("/api/overview"), headers)).status;

test("a session ends after an hour unused, and use keeps it alive", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  for (let i = 0; i < 3; i++) {
    clock.advance(SESSION_LIMITS.idleMs - MINUTE);
    assert.equal(await overview({ cookie }), 200, `used again after ${i + 1} idle periods`);
  }
  clock.advance(SESSION_LIMITS.idleMs);
  const ended = await get(at("/api/overview"), { cookie });
  assert.equal(ended.status, 401);
  assert.match(ended.json<{ error: string }>().error, /session has ended .*open the URL the dashboard printed/);
  assert.match(ended.headers.get("set-cookie") ?? "", /Max-Age=0/, "the browser is told to drop the dead cookie");
  assert.equal(await overview(bearer(dashboard.token)), 200, "scripts keep using the token itself");
});

test("a session ends 12 hours after login however much it is used", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  let elapsed = 0;
  while (elapsed + 30 * MINUTE < SESSION_LIMITS.absoluteMs) {
    clock.advance(30 * MINUTE);
    elapsed += 30 * MINUTE;
    assert.equal(await overview({ cookie }), 200, `after ${elapsed / MINUTE} minutes`);
  }
  clock.advance(SESSION_LIMITS.absoluteMs - elapsed);
  assert.equal(await overview({ cookie }), 401);
});

test("logging in again starts a new session and ends the old one", async () => {
  const first = await login(dashboard.url, dashboard.token);
  const again = await get(at(`/?token=${dashboard.token}`), { cookie: first });
  const second = again.headers.get("set-cookie")?.split(";")[0] ?? "";
  assert.notEqual(second, first);
  assert.equal(await overview({ cookie: second }), 200);
  assert.equal(await overview({ cookie: first }), 401);
});

test("logout is a POST that ends the session and clears the cookie", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  const other = await login(dashboard.url, dashboard.token);
  const viaGet = await get(at("/api/logout"), { cookie });
  assert.equal(viaGet.status, 405, "a link or an <img> cannot log out");
  assert.equal(viaGet.headers.get("allow"), "POST");
  assert.equal(await overview({ cookie }), 200);

  const out = await get(at("/api/logout"), { cookie, origin: new URL(dashboard.url).origin, "sec-fetch-site": "same-origin" }, "POST");
  assert.equal(out.status, 204);
  assert.match(out.headers.get("set-cookie") ?? "", new RegExp(`^parapet_dashboard_${dashboard.port}=; .*Max-Age=0`));
  assert.equal(await overview({ cookie }), 401);
  assert.equal(await overview({ cookie: other }), 200, "another browser's session is its own");
});

test("a logout forged from another site or origin is refused and the session survives", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  for (const headers of [
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
    // A browser that sends Origin but not Sec-Fetch-Site.
    { origin: "http://evil.example" },
    { origin: `http://127.0.0.1:${dashboard.port + 1}` },
    { origin: "null" },
  ]) {
    assert.equal((await get(at("/api/logout"), { cookie, ...headers }, "POST")).status, 403, JSON.stringify(headers));
  }
  assert.equal(await overview({ cookie }), 200);
});

test("logout ends the live tail opened with that session, not one opened with the token", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  const sessionTail = await fetch(at("/api/live"), { headers: { cookie } });
  const tokenTail = await fetch(at("/api/live"), { headers: bearer(dashboard.token) });
  try {
    assert.equal(sessionTail.status, 200);
    const sessionReader = sessionTail.body!.getReader();
    await sessionReader.read(); // the retry line
    assert.equal((await get(at("/api/logout"), { cookie }, "POST")).status, 204);
    const ended = await Promise.race([
      (async () => {
        for (;;) if ((await sessionReader.read()).done) return true;
      })(),
      new Promise((resolve) => setTimeout(() => resolve(false), 2_000)),
    ]);
    assert.equal(ended, true, "the tail of the logged-out session ended");
    const tokenReader = tokenTail.body!.getReader();
    await tokenReader.read();
    const stillOpen = await Promise.race([tokenReader.read().then(() => false), new Promise((r) => setTimeout(() => r(true), 300))]);
    assert.equal(stillOpen, true, "the Bearer tail is untouched");
  } finally {
    await sessionTail.body?.cancel().catch(() => {});
    await tokenTail.body?.cancel().catch(() => {});
  }
});

test("after 5 wrong tokens the address waits (429, Retry-After), doubling, while open sessions keep working", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  const wrong = bearer("w".repeat(32));
  for (let i = 0; i < 5; i++) assert.equal(await overview(wrong), 401, `wrong token ${i + 1}`);
  const waited = await get(at("/api/overview"), wrong);
  assert.equal(waited.status, 429);
  assert.equal(waited.headers.get("retry-after"), "30");
  assert.match(waited.json<{ error: string }>().error, /too many wrong tokens/);
  // The right token is not even compared while the address waits: otherwise waiting would not slow guessing.
  assert.equal(await overview(bearer(dashboard.token)), 429);
  assert.equal((await get(at(`/?token=${dashboard.token}`))).status, 429);
  assert.equal(await overview({ cookie }), 200, "a session is not a guess");
  assert.equal(await overview({}), 401, "no credential is no guess either");

  clock.advance(30_000);
  assert.equal(await overview(wrong), 401, "one more wrong token after the wait...");
  const longer = await get(at("/api/overview"), wrong);
  assert.equal(longer.headers.get("retry-after"), "60", "...doubles it");
  clock.advance(60_000);
  assert.equal(await overview(bearer(dashboard.token)), 200);
  for (let i = 0; i < 5; i++) assert.equal(await overview(wrong), 401, "a right token starts the count again");
});

test("the throttle remembers a bounded number of addresses", () => {
  const now = manualClock(0);
  const throttle = createLoginThrottle(now.now, {
    freeFailures: 1,
    firstWaitMs: 1_000,
    maxWaitMs: 1_000,
    forgetAfterMs: 60_000,
    maxClients: 3,
  });
  for (const client of ["a", "b", "c", "d"]) throttle.failed(client);
  assert.equal(throttle.waitMs("a"), 0, "the stalest address was forgotten to make room");
  for (const client of ["b", "c", "d"]) assert.equal(throttle.waitMs(client), 1_000, client);
});

test("at most 64 sessions: a 65th login ends the oldest", async () => {
  const cookies: string[] = [];
  for (let i = 0; i < SESSION_LIMITS.maxSessions + 1; i++) cookies.push(await login(dashboard.url, dashboard.token));
  assert.equal(await overview({ cookie: cookies[0]! }), 401);
  assert.equal(await overview({ cookie: cookies[1]! }), 200);
  assert.equal(await overview({ cookie: cookies.at(-1)! }), 200);
});

test("a restarted dashboard refuses the old session cookie, even with the same token", async () => {
  const log = sqliteLog({ path: ":memory:" });
  const token = "restart-test-token-0123456789";
  const first = await startDashboard({ log: await freshMigrated(log), port: 0, token, logger: quietLogger });
  const cookie = await login(first.url, token);
  assert.equal((await get(new URL("/api/overview", first.url).href, { cookie })).status, 200);
  await first.close();
  // Let the client see its kept-alive connection to the old server close before it asks the new one.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = await startDashboard({ log, port: first.port, token, logger: quietLogger });
  try {
    assert.equal((await get(new URL("/api/overview", second.url).href, { cookie })).status, 401);
    assert.equal((await get(new URL("/api/overview", second.url).href, bearer(token))).status, 200);
  } finally {
    await second.close();
    await log.close();
  }
});
