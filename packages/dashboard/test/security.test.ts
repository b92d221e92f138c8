import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { sqliteLog } from "@parapet/observe";
import { CONTENT_SECURITY_POLICY, type Dashboard, startDashboard } from "../src/index.js";
import { bearer, get, login, type Reply } from "./client.js";
import { freshMigrated, manualClock, quietLogger } from "./helpers.js";

const driver = sqliteLog({ path: ":memory:" });
let dashboard: Dashboard;
const at = (path: string) => new URL(path, dashboard.url).href;
// Each test starts with the login throttle's memory gone (the wrong tokens of one test do not make the next wait)
// and every session expired.
const clock = manualClock(Date.now());
beforeEach(() => clock.advance(24 * 3_600_000));

before(async () => {
  dashboard = await startDashboard({ log: await freshMigrated(driver), port: 0, logger: quietLogger, clock });
});
after(async () => {
  await dashboard.close();
  await driver.close();
});

function statusWithHost(host: string, target: Dashboard = dashboard): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: target.port, path: "/api/overview", headers: { host, ...bearer(target.token) } },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function assertSecurityHeaders(reply: Reply, where: string): void {
  assert.equal(reply.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY, `CSP on ${where}`);
  assert.equal(reply.headers.get("x-content-type-options"), "nosniff", where);
  assert.equal(reply.headers.get("x-frame-options"), "DENY", where);
  assert.equal(reply.headers.get("referrer-policy"), "no-referrer", where);
  assert.equal(reply.headers.get("cache-control"), "no-store", where);
}

test("the CSP is the strict one the issue asks for", () => {
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:/);
});

test("every path answers 401 without the token, with security headers", async () => {
  for (const path of ["/", "/index.html", "/app.js", "/vendor/chart.umd.min.js", "/api/overview", "/api/decisions", "/api/live", "/nope"]) {
    const reply = await get(at(path));
    assert.equal(reply.status, 401, path);
    assert.match(reply.json<{ error: string }>().error, /token/);
    assert.equal(reply.headers.get("www-authenticate"), 'Bearer realm="parapet-dashboard"');
    assertSecurityHeaders(reply, `401 ${path}`);
  }
});

test("a wrong token is refused however it is sent", async () => {
  const wrong = "x".repeat(dashboard.token.length);
  assert.equal((await get(at("/api/overview"), bearer(wrong))).status, 401);
  assert.equal((await get(at("/api/overview"), { authorization: `Basic ${dashboard.token}` })).status, 401);
  assert.equal((await get(at(`/?token=${wrong}`))).status, 401);
  const cookie = `parapet_dashboard_${dashboard.port}=${wrong}`;
  assert.equal((await get(at("/api/overview"), { cookie })).status, 401);
  // A right cookie does not rescue a wrong bearer: an explicit credential is judged on its own.
  assert.equal((await get(at("/api/overview"), { ...bearer(wrong), cookie: await login(dashboard.url, dashboard.token) })).status, 401);
});

test("a proxy's Basic credentials do not hide the cookie, and the Bearer scheme is case-insensitive", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  // A reverse proxy with Basic auth in front: the browser sends its credentials on every request, cookie included.
  assert.equal((await get(at("/api/overview"), { authorization: "Basic dXNlcjpwYXNz", cookie })).status, 200);
  assert.equal((await get(at("/api/overview"), { authorization: "Basic dXNlcjpwYXNz" })).status, 401, "still needs the token");
  assert.equal(
    (await get(at("/api/overview"), { authorization: "Basic dXNlcjpwYXNz", cookie: `parapet_dashboard_${dashboard.port}=nope` })).status,
    401,
  );
  // RFC 7235: the auth-scheme is case-insensitive.
  for (const scheme of ["bearer", "BEARER", "Bearer"]) {
    assert.equal((await get(at("/api/overview"), { authorization: `${scheme} ${dashboard.token}` })).status, 200, scheme);
  }
  assert.equal((await get(at("/api/overview"), { authorization: "Bearer", cookie })).status, 401, "an empty Bearer is a wrong one");
});

test("a decoy cookie of the same name, set from another port of the host, does not lock the session out", async () => {
  // What the browser sends after a page on 127.0.0.1:<other port> ran `document.cookie = "<name>=x; path=/api"`:
  // the longer Path first, then the dashboard's own cookie. Logging in again does not remove the decoy.
  const name = `parapet_dashboard_${dashboard.port}`;
  const both = `${name}=decoy; ${await login(dashboard.url, dashboard.token)}`;
  assert.equal((await get(at("/api/overview"), { cookie: both })).status, 200);
  assert.equal((await get(at("/api/overview"), { cookie: `${name}=decoy; ${name}=other` })).status, 401, "still needs the token");
});

test("?token= is swapped for an HttpOnly SameSite=Strict session cookie and stripped from the URL", async () => {
  const reply = await get(at(`/?token=${dashboard.token}`));
  assert.equal(reply.status, 303);
  assert.equal(reply.headers.get("location"), "/");
  assertSecurityHeaders(reply, "the login redirect");
  const setCookie = reply.headers.get("set-cookie") ?? "";
  assert.match(setCookie, new RegExp(`^parapet_dashboard_${dashboard.port}=[A-Za-z0-9_-]{43};`));
  // Cookies are not port-scoped: every server on 127.0.0.1 receives it. It must not be the token.
  assert.ok(!setCookie.includes(dashboard.token), "the cookie carries a session id, not the token");
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Max-Age=43200/);
  const kept = await get(at(`/api/decisions?token=${dashboard.token}&limit=5`));
  assert.equal(kept.headers.get("location"), "/api/decisions?limit=5", "other parameters survive");

  const page = await get(at("/"), { cookie: setCookie.split(";")[0]! });
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.doesNotMatch(page.body, /<script>|<style>|\sstyle=|\son\w+=/i, "no inline script, style or handler");
  assertSecurityHeaders(page, "the page");
});

test("the login redirect stays on the dashboard whatever path the token came with", async () => {
  // A raw request target (a browser normalizes these itself): "/./" drops out and leaves "//evil.example/".
  const location = await new Promise<string | undefined>((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: dashboard.port,
        path: `/.//evil.example/?token=${dashboard.token}`,
        headers: { host: `127.0.0.1:${dashboard.port}` },
      },
      (res) => {
        res.resume();
        resolve(res.headers.location);
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.equal(location, "/evil.example/", "a Location of //evil.example/ sends the browser, with its new cookie set, to another host");
});

test("opening the printed URL again while the session cookie is set still strips the token from the URL", async () => {
  const cookie = await login(dashboard.url, dashboard.token);
  const again = await get(at(`/?token=${dashboard.token}`), { cookie });
  assert.equal(again.status, 303, "a 200 here leaves ?token= in the address bar and the history");
  assert.equal(again.headers.get("location"), "/");
  // A wrong token in the URL is judged on its own, as a wrong Bearer is: the cookie does not make it right.
  assert.equal((await get(at(`/?token=${"x".repeat(dashboard.token.length)}`), { cookie })).status, 401);
});

test("authenticated responses of every kind carry the security headers", async () => {
  for (const [path, status] of [
    ["/", 200],
    ["/app.js", 200],
    ["/vendor/chart.umd.min.js", 200],
    ["/api/overview", 200],
    ["/api/decisions?limit=0", 400],
    ["/api/unknown", 404],
    ["/api/constructor", 404],
    ["/../../etc/passwd", 404],
    ["/static/app.js", 404],
  ] as const) {
    const reply = await get(at(path), bearer(dashboard.token));
    assert.equal(reply.status, status, path);
    assertSecurityHeaders(reply, path);
  }
  const chart = await get(at("/vendor/chart.umd.min.js"), bearer(dashboard.token));
  assert.match(chart.body, /Chart/);
  assert.match(chart.headers.get("content-type") ?? "", /text\/javascript/);
});

test("read-only: other methods get 405", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const reply = await get(at("/api/decisions"), bearer(dashboard.token), method);
    assert.equal(reply.status, 405, method);
    assert.equal(reply.headers.get("allow"), "GET, HEAD");
  }
  assert.equal((await get(at("/api/live"), bearer(dashboard.token), "HEAD")).status, 405, "HEAD would hold an event stream open");
});

test("cross-site requests and foreign Host headers (DNS rebinding) are refused", async () => {
  const crossSite = await get(at("/api/overview"), { ...bearer(dashboard.token), "sec-fetch-site": "cross-site" });
  assert.equal(crossSite.status, 403);
  const sameSite = await get(at("/api/overview"), { ...bearer(dashboard.token), "sec-fetch-site": "same-site" });
  assert.equal(sameSite.status, 403, "another port or subdomain is not this dashboard");
  assert.equal((await get(at("/api/overview"), { ...bearer(dashboard.token), "sec-fetch-site": "same-origin" })).status, 200);
  // fetch() will not send a custom Host; node:http will.
  assert.equal(await statusWithHost(`evil.example:${dashboard.port}`), 421);
  assert.equal(await statusWithHost("127.0.0.1"), 421, "the port is part of the check");
  assert.equal(await statusWithHost(`localhost:${dashboard.port}`), 200);
});

test("on port 80, browsers' port-less Host headers are the dashboard's own", async (t) => {
  const onDefaultPort = await startDashboard({ log: driver, port: 80, logger: quietLogger }).catch(() => undefined);
  if (!onDefaultPort) return t.skip("port 80 cannot be bound here (needs root, and the port free)");
  try {
    // What a browser sends for http://127.0.0.1/ or http://127.0.0.1:80/ (the URL the dashboard prints).
    assert.equal(await statusWithHost("127.0.0.1", onDefaultPort), 200);
    assert.equal(await statusWithHost("localhost", onDefaultPort), 200);
    assert.equal(await statusWithHost("127.0.0.1:80", onDefaultPort), 200);
    assert.equal(await statusWithHost("evil.example", onDefaultPort), 421);
  } finally {
    await onDefaultPort.close();
  }
});

test("options are validated loudly at start", async () => {
  await assert.rejects(startDashboard({ log: driver, host: "0.0.0.0", port: 0 }), /not loopback.*allowRemote/);
  await assert.rejects(startDashboard({ log: driver, port: 0, token: "short" }), /token/);
  await assert.rejects(startDashboard({ log: driver, port: 0, token: "has spaces in it, which break headers" }), /token/);
  await assert.rejects(startDashboard({ log: driver, port: 70_000 }), /port/);
  await assert.rejects(startDashboard({ port: 0 }), /`log`.*`query`/);
  await assert.rejects(startDashboard({ log: driver, port: dashboard.port }), /cannot listen/);
  const custom = await startDashboard({ log: driver, port: 0, token: "a-custom-token-for-tests" });
  try {
    assert.equal(custom.token, "a-custom-token-for-tests");
    assert.equal(custom.loginUrl, `${custom.url}?token=a-custom-token-for-tests`);
    assert.equal((await get(new URL("/api/overview", custom.url).href, bearer("a-custom-token-for-tests"))).status, 200);
  } finally {
    await custom.close();
  }
});

test("generated tokens are long and differ", async () => {
  const other = await startDashboard({ log: driver, port: 0 });
  await other.close();
  assert.notEqual(other.token, dashboard.token);
  assert.ok(dashboard.token.length >= 32);
});
