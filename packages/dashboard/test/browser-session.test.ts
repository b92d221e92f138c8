import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type SqlDriver, sqliteLog } from "@parapet/observe";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Dashboard, startDashboard } from "../src/index.js";
import { launchChromium, skipWithoutChromium as skip } from "./chromium.js";
import { freshMigrated, manualClock, quietLogger } from "./helpers.js";

/**
 * What the page does when its session ends, in real headless Chromium: the dashboard restarted with a new token,
 * the user logged out, the session expired. Each test has its own browser context (its own cookies).
 */
let browser: Browser;
let log: SqlDriver;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  log = await freshMigrated(sqliteLog({ path: ":memory:" }));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await log?.close();
});

async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return { context, page };
}

test("after a restart with a new token, the live tail stops retrying and says to open the new URL", { skip }, async () => {
  const first = await startDashboard({ log, port: 0, logger: quietLogger });
  let second: Dashboard | undefined;
  const { context, page } = await openPage();
  try {
    await page.goto(first.loginUrl);
    await page.goto(`${first.url}#/live`);
    await page.waitForSelector("#live-status:text('connected')");
    await first.close();
    second = await startDashboard({ log, port: first.port, logger: quietLogger });
    assert.notEqual(second.token, first.token);
    // The browser retries after the stream drops (retry: 3 s) and is answered 401 by the new dashboard.
    await page.waitForSelector("#signed-out-reason", { timeout: 15_000 });
    assert.match((await page.textContent("#signed-out-reason")) ?? "", /session has ended/);
    assert.match((await page.textContent("#signed-out-next")) ?? "", /open the URL .* printed/);
    assert.equal(await page.locator("#live-status").count(), 0, "no tail left saying 'reconnecting'");
    // Stopped: no more attempts to open the tail.
    const attempts: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/live")) attempts.push(request.url());
    });
    await page.waitForTimeout(4_000);
    assert.deepEqual(attempts, []);

    // The new URL signs the same tab in again.
    await page.goto(second.loginUrl);
    await page.goto(`${second.url}#/live`);
    await page.waitForSelector("#live-status:text('connected')");
  } finally {
    await context.close();
    await second?.close();
  }
});

test("the Log out button ends the session: the page says so and the cookie no longer opens the dashboard", { skip }, async () => {
  const dashboard = await startDashboard({ log, port: 0, logger: quietLogger });
  const { context, page } = await openPage();
  try {
    await page.goto(dashboard.loginUrl);
    await page.goto(`${dashboard.url}#/live`);
    await page.waitForSelector("#live-status:text('connected')");
    await page.click("#logout");
    await page.waitForSelector("#signed-out-reason:text('You logged out.')");
    assert.equal(await page.isVisible("#logout"), false);
    const cookies = await context.cookies();
    assert.equal(cookies.filter((c) => c.name === `parapet_dashboard_${dashboard.port}`).length, 0, "the cookie was cleared");
    const reload = await page.goto(dashboard.url);
    assert.equal(reload?.status(), 401);
  } finally {
    await context.close();
    await dashboard.close();
  }
});

test("an expired session met on a range change shows the signed-out page, not a toast", { skip }, async () => {
  const clock = manualClock(Date.now());
  const dashboard = await startDashboard({ log, port: 0, logger: quietLogger, clock });
  const { context, page } = await openPage();
  try {
    await page.goto(dashboard.loginUrl);
    await page.waitForSelector("#chart-traffic");
    clock.advance(2 * 60 * 60_000);
    await page.selectOption("#range", "21600000");
    await page.waitForSelector("#signed-out-reason");
    assert.match((await page.textContent("#signed-out-reason")) ?? "", /session has ended: it expired/);
    assert.equal(await page.isVisible("#error"), false);
  } finally {
    await context.close();
    await dashboard.close();
  }
});

test("no script errors on any of these pages", { skip }, () => {
  assert.deepEqual(pageErrors, []);
});
