import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { sqliteLog } from "@parapet/observe";
import type { Browser, Page } from "playwright-core";
import { createLiveFeed, type Dashboard, startDashboard } from "../src/index.js";
import { launchChromium, skipWithoutChromium as skip } from "./chromium.js";
import { quietLogger, request, type Seeded, seedLog, tempDir, XSS_USER_AGENT } from "./helpers.js";

/**
 * End to end in real headless Chromium (Debian's `chromium` package). With
 * PARAPET_SCREENSHOTS=1 the same run writes the screenshots under docs/.
 */
const SCREENSHOTS = process.env.PARAPET_SCREENSHOTS === "1" ? resolve(import.meta.dirname, "..", "..", "..", "..", "docs") : undefined;

const dir = tempDir();
const feed = createLiveFeed();
let seeded: Seeded;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  // Seed up to a minute ago, so the UI's default range (the last hour, by the browser's clock) shows it all.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 31 * 60_000;
  seeded = await seedLog(sqliteLog({ path: join(dir.path, "decisions.db") }), start, [feed]);
  dashboard = await startDashboard({ query: seeded.observed.query!, port: 0, observer: feed, logger: quietLogger });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  await dashboard?.close();
  await seeded?.observed.close();
  dir.remove();
});

async function shoot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`), fullPage: true });
}

/** Counts painted pixels: a chart that drew nothing leaves the canvas fully transparent. */
function paintedPixels(selector: string): Promise<number> {
  // A string, evaluated in the page: this package compiles without the DOM library.
  return page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  })()`);
}

test("without the token the browser gets a 401", { skip }, async () => {
  const context = await browser.newContext();
  try {
    const response = await (await context.newPage()).goto(dashboard.url);
    assert.equal(response?.status(), 401);
  } finally {
    await context.close();
  }
});

test("the login URL sets the cookie and drops the token from the address bar", { skip }, async () => {
  await page.goto(dashboard.loginUrl);
  assert.equal(page.url(), dashboard.url);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === `parapet_dashboard_${dashboard.port}`);
  assert.ok(session?.httpOnly, "HttpOnly session cookie");
  assert.equal(session?.sameSite, "Strict");
  assert.equal(await page.evaluate("document.cookie"), "", "scripts cannot read it");
});

test("overview: charts render and the numbers match what was logged", { skip }, async () => {
  await page.goto(`${dashboard.url}#/overview`);
  await page.waitForSelector("#chart-traffic");
  await page.waitForFunction(`document.querySelector("#page").getAttribute("aria-busy") === null`);
  for (const chart of ["#chart-traffic", "#chart-attacks", "#chart-bots"]) {
    assert.ok((await paintedPixels(chart)) > 1_000, `${chart} drew something`);
  }
  const kpis = await page.locator(".kpi").allTextContents();
  const requests = kpis.find((k) => k.startsWith("Requests"))?.replace(/\D/g, "");
  assert.equal(requests, String(seeded.counts.total));
  assert.ok(await page.isVisible("text=198.51.100.99"), "the busiest client is listed");
  await shoot("overview");
});

test("alerts: the spike finding shows its evidence", { skip }, async () => {
  await page.goto(`${dashboard.url}#/alerts`);
  await page.waitForSelector("#alerts-list");
  const text = await page.textContent("#alerts-list");
  assert.match(text ?? "", /Traffic spike/);
  assert.match(text ?? "", /verdict\s*attack/);
  assert.match(text ?? "", /192\.0\.2\.66 probed 40 paths/);
  await shoot("alerts");
});

test("decisions: filter the table, then open a detail", { skip }, async () => {
  await page.goto(`${dashboard.url}#/decisions`);
  await page.waitForSelector("#decisions-table tbody tr");
  await page.fill('#filters input[name="ip"]', "192.0.2.66");
  await page.selectOption('#filters select[name="conclusion"]', "DENY");
  await page.click('#filters button[type="submit"]');
  await page.waitForFunction(`location.hash.includes("ip=192.0.2.66")`);
  await page.waitForSelector("#decisions-table tbody tr");
  const ips = await page.locator("#decisions-table tbody tr td:nth-child(5)").allTextContents();
  assert.equal(ips.length, seeded.counts.attacks);
  assert.ok(ips.every((ip) => ip === "192.0.2.66"));
  await shoot("decisions");

  await page.click("#decisions-table tbody tr >> nth=0");
  await page.waitForSelector("#decision-detail");
  const detail = await page.textContent("#decision-detail");
  assert.match(detail ?? "", /192\.0\.2\.66/);
  assert.match(detail ?? "", /SHIELD/);
  await shoot("detail");
});

test("a logged XSS payload is shown as text and never runs", { skip }, async () => {
  await page.goto(`${dashboard.url}#/decision/${encodeURIComponent(seeded.xssDecisionId)}`);
  await page.waitForSelector("#decision-detail");
  assert.ok((await page.textContent("#decision-detail"))?.includes(XSS_USER_AGENT), "the payload is displayed verbatim");
  await page.goto(`${dashboard.url}#/decisions?ip=192.0.2.13`);
  await page.waitForSelector("#decisions-table tbody tr");
  assert.equal(await page.textContent("#decisions-table tbody tr td.ua"), XSS_USER_AGENT);
  assert.equal(await page.evaluate("window.__xss"), undefined, "the payload did not run");
  assert.equal(await page.locator("#page img").count(), 0, "no element was created from the payload");
});

test("live: a new decision appears in the tail", { skip }, async () => {
  await page.goto(`${dashboard.url}#/live`);
  await page.waitForSelector("#live-status:text('connected')");
  await seeded.guard.protect(request("203.0.113.77", "/api/live-check", { "user-agent": "<i>live</i>" }));
  const row = page.locator("#live-body tr", { hasText: "/api/live-check" });
  await row.waitFor();
  assert.match((await row.textContent()) ?? "", /203\.0\.113\.77/);
  assert.match((await row.textContent()) ?? "", /<i>live<\/i>/);
  await shoot("live");
});

test("no CSP violations and no script errors on any page", { skip }, () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
