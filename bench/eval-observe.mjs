#!/usr/bin/env node
// Replays labelled traffic episodes through a real parapet() client with the
// @parapet/observe observer (SQLite log in a temp dir, injected clock) and
// reports, per episode: detected or not, time to detect, false alarms; next
// to a CrowdSec-style fixed per-IP leaky-bucket baseline on the same replay.
// Usage: npm run eval:observe   (deterministic: seeded random)
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectBot } from "@parapet/bots";
import { createClientIpResolver, parapet, silentLogger } from "@parapet/core";
import { blockListRule, LeakyBucket, observe, sqliteLog } from "@parapet/observe";
import { shield } from "@parapet/shield";

const CORPUS = "/work/shared/corpora/observe";
const MIN = 60_000;
const START = Date.UTC(2025, 2, 3, 0, 0, 0);
const HOURS = 3;

// ---------------------------------------------------------------- random
let seed = 42;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
// Findings name an IPv6 client by its /64, as core's rate limits key it.
const clientKeyOf = createClientIpResolver().keyOf;
const pick = (list) => list[Math.floor(random() * list.length)];
const randomIp = () =>
  `${1 + Math.floor(random() * 222)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;

const BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
/** What Chrome sends with that User-Agent (an attacker copying a browser copies these too). */
const BROWSER_HEADERS = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-language": "en-US,en;q=0.9",
  "accept-encoding": "gzip, deflate, br, zstd",
  "sec-fetch-mode": "navigate",
  "sec-fetch-site": "same-origin",
  "sec-fetch-dest": "document",
};
const BOT_AGENTS = ["python-requests/2.31.0", "curl/8.4.0", "Go-http-client/1.1", "Scrapy/2.11 (+https://scrapy.org)"];
const PATHS = ["/", "/api/items", "/api/items/42", "/api/orders", "/api/search", "/login", "/account", "/static/app.js"];

// ---------------------------------------------------------------- traffic
/** @type {{t:number, type:"req"|"fail"|"ok", ip:string, path?:string, ua?:string, apiKey?:string, user?:string, status?:number, episode:string}[]} */
const events = [];
const episodes = [];
function episode(name, attack, start, end, actors) {
  const e = { name, attack, start, end, ips: new Set(), users: new Set(), ...actors };
  episodes.push(e);
  return e;
}

// Normal diurnal noise: ~8 req/s at the peak, 300 established API customers, a few crawlers, 1% 404s, typos at login.
const customers = Array.from({ length: 300 }, (_, i) => ({ key: `cust-${i}-key`, ip: randomIp() }));
for (let t = 0; t < HOURS * 60 * MIN; t += 1000) {
  const rate = 5 + 3 * Math.sin((2 * Math.PI * t) / (HOURS * 60 * MIN));
  const n = Math.floor(rate + random());
  for (let i = 0; i < n; i++) {
    const at = t + Math.floor(random() * 1000);
    if (random() < 0.05) {
      events.push({
        t: at,
        type: "req",
        ip: `66.249.66.${1 + Math.floor(random() * 50)}`,
        path: pick(PATHS),
        ua: "Googlebot/2.1 (+http://www.google.com/bot.html)",
        status: 200,
        episode: "noise",
      });
      continue;
    }
    const c = pick(customers);
    events.push({
      t: at,
      type: "req",
      ip: c.ip,
      path: pick(PATHS),
      ua: BROWSER,
      apiKey: c.key,
      status: random() < 0.01 ? 404 : 200,
      episode: "noise",
    });
  }
  if (random() < 1 / 30) {
    const user = `user${Math.floor(random() * 5000)}`;
    const ip = randomIp();
    events.push({ t, type: "fail", ip, user, episode: "noise" }, { t: t + 8000, type: "ok", ip, user, episode: "noise" });
  }
}

// 1. A large customer ramping 10x over 3 minutes, then holding for 10: a known API key (first seen at the
// start of the replay, so established), 4 IPs, browsers. Normally 10 req/s, about 60% of the site's traffic,
// so its 10x (100 req/s) is a site-wide spike of ~6x that the spike classifier has to explain.
// At 107 minutes it rotates its key (episode 9): the same servers send a new key from then on.
const ROTATION = 107 * MIN;
{
  const e = episode("customer ramp 10x", false, 30 * MIN, 43 * MIN);
  const ips = ["52.10.20.1", "52.10.20.2", "52.10.20.3", "52.10.20.4"];
  for (let t = 0; t < HOURS * 60 * MIN; t += 1000) {
    const ramp = t < e.start ? 1 : Math.min(10, 1 + (9 * (t - e.start)) / (3 * MIN));
    const rate = t > e.end ? 10 : 10 * ramp;
    for (let i = 0; i < Math.floor(rate + random()); i++) {
      const ip = pick(ips);
      e.ips.add(ip);
      events.push({
        t: t + Math.floor(random() * 1000),
        type: "req",
        ip,
        path: pick(PATHS),
        ua: BROWSER,
        apiKey: t >= ROTATION ? "bigco-prod-key-rotated" : "bigco-prod-key",
        status: 200,
        episode: t >= e.start ? e.name : "noise",
      });
    }
  }
}

// 2. A distributed attack: 3,000 new IPs, 60% bot agents, no credentials, 60 req/s for 6 minutes.
{
  const e = episode("distributed attack", true, 60 * MIN, 66 * MIN);
  const ips = Array.from({ length: 3000 }, randomIp);
  for (let t = e.start; t < e.end; t += 1000) {
    for (let i = 0; i < 60; i++) {
      const ip = pick(ips);
      e.ips.add(ip);
      const ua = random() < 0.6 ? pick(BOT_AGENTS) : BROWSER;
      events.push({
        t: t + Math.floor(random() * 1000),
        type: "req",
        ip,
        path: pick(PATHS),
        ua,
        status: random() < 0.3 ? 401 : 200,
        episode: e.name,
      });
    }
  }
}

// 3. Credential stuffing: 150 IPs replay a list of 5,000 user names with 3 passwords, ~15 attempts/s for 5 minutes.
{
  const e = episode("credential stuffing", true, 80 * MIN, 85 * MIN);
  const ips = Array.from({ length: 150 }, randomIp);
  let n = 0;
  for (let t = e.start; t < e.end; t += 1000) {
    for (let i = 0; i < 15; i++, n++) {
      const ip = pick(ips);
      const user = `victim${Math.floor(n / 3) % 5000}`;
      e.ips.add(ip);
      e.users.add(user);
      const at = t + Math.floor(random() * 1000);
      events.push({ t: at, type: "req", ip, path: "/login", ua: pick(BOT_AGENTS), status: 401, episode: e.name });
      events.push({ t: at, type: "fail", ip, user, episode: e.name });
    }
  }
}

// 4. A slow brute force on one account: one attempt every 5 s from 30 rotating IPs, 10 minutes.
{
  const e = episode("slow brute force", true, 95 * MIN, 105 * MIN);
  const ips = Array.from({ length: 30 }, randomIp);
  e.users.add("admin");
  for (let t = e.start; t < e.end; t += 5000) {
    const ip = pick(ips);
    e.ips.add(ip);
    events.push({ t, type: "req", ip, path: "/login", ua: BROWSER, status: 401, episode: e.name });
    events.push({ t, type: "fail", ip, user: "admin", episode: e.name });
  }
}

// 5. Scanners: the real Acunetix, Netsparker and w3af logs, re-timed to start at the episode (idle gaps
// over 30 s shortened to 30 s: the logs hold pauses of up to 45 minutes between scan phases), IP
// remapped, 15 minutes at most.
const MAX_GAP = 30_000;
const LINE =
  /^"?(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "(\S+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"/;
const MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
let scanners = 0;
for (const [index, file] of ["scan-acunetix.log", "scan-netsparker.log", "scan-w3af.log"].entries()) {
  const path = join(CORPUS, file);
  if (!existsSync(path)) {
    console.log(`(skipping ${file}: corpus not found at ${CORPUS})`);
    continue;
  }
  scanners++;
  const parsed = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = LINE.exec(line);
    if (!m) continue;
    const t = Date.UTC(+m[4], MONTHS[m[3]], +m[2], +m[5], +m[6], +m[7]);
    parsed.push({ t, method: m[9], path: m[10].split("?")[0] || "/", status: +m[11], ua: m[12] });
  }
  parsed.sort((a, b) => a.t - b.t);
  const e = episode(`scanner ${file.slice(5, -4)}`, true, (115 + index * 20) * MIN, (130 + index * 20) * MIN);
  const ip = `203.0.113.${10 + index}`;
  e.ips.add(ip);
  let t = e.start;
  for (const [i, row] of parsed.entries()) {
    if (i > 0) t += Math.min(MAX_GAP, row.t - parsed[i - 1].t);
    if (t >= e.end) break;
    events.push({ t, type: "req", ip, path: row.path.slice(0, 500), ua: row.ua, status: row.status, episode: e.name });
  }
}

// 6. Visitors of a shop whose theme is broken (not an attack): every page load misses 40 theme assets (images,
// css, js, fonts under a few directories) and 8 product images within ~1.5 s, next to 30 assets that load.
// Half the visitors are IPv6: their findings would name the /64.
{
  const e = episode("broken theme page loads", false, 20 * MIN, 28 * MIN);
  const missing = [
    ...Array.from({ length: 24 }, (_, i) => `/themes/shop/img/icon-${i}.png`),
    ...Array.from({ length: 6 }, (_, i) => `/themes/shop/css/part-${i}.css`),
    ...Array.from({ length: 6 }, (_, i) => `/themes/shop/js/widget-${i}.js`),
    ...["regular", "bold", "italic", "light"].map((w) => `/themes/shop/fonts/inter-${w}.woff2`),
  ];
  const present = Array.from({ length: 30 }, (_, i) => `/static/chunk-${i}.js`);
  for (let v = 0; v < 8; v++) {
    const ip = v % 2 === 0 ? randomIp() : `2001:db8:${100 + v}:7::${(1 + Math.floor(random() * 65000)).toString(16)}`;
    e.ips.add(ip).add(clientKeyOf(ip));
    for (let page = 0; page < 2; page++) {
      const at = e.start + Math.floor(random() * 6 * MIN) + page * MIN;
      const products = Array.from({ length: 8 }, () => `/media/products/${Math.floor(random() * 90000)}/thumb.jpg`);
      events.push({ t: at, type: "req", ip, path: `/category/${page}`, ua: BROWSER, status: 200, episode: e.name });
      for (const path of [...missing, ...products]) {
        events.push({ t: at + 100 + Math.floor(random() * 1400), type: "req", ip, path, ua: BROWSER, status: 404, episode: e.name });
      }
      for (const path of present) {
        events.push({ t: at + 100 + Math.floor(random() * 1400), type: "req", ip, path, ua: BROWSER, status: 200, episode: e.name });
      }
    }
  }
}

// Wordlist scanners: dirb/SecLists-style guesses, mostly plain words, some known probes.
const WORDS = (
  "admin backup old test dev tmp uploads private config db logs staging beta internal console manage " +
  "portal api-old v1 debug status phpinfo.php server-status .env .git/HEAD backup.zip db.sql wp-login.php phpmyadmin/ web.config config.php.bak cgi-bin/test.cgi"
).split(" ");
function wordlistPath(n) {
  const word = WORDS[n % WORDS.length];
  return n < WORDS.length ? `/${word}` : `/${WORDS[Math.floor(n / WORDS.length) % WORDS.length]}/${word}`;
}

// 7. A slow scanner: one guess every 3 s (20 a minute, below any burst threshold) for 10 minutes.
{
  const e = episode("slow wordlist scanner", true, 45 * MIN, 55 * MIN);
  const ip = "203.0.113.40";
  e.ips.add(ip);
  const order = Array.from({ length: 200 }, (_, i) => i).sort(() => random() - 0.5);
  for (let t = e.start, n = 0; t < e.end; t += 3000, n++) {
    events.push({ t, type: "req", ip, path: wordlistPath(order[n % order.length]), ua: BROWSER, status: 404, episode: e.name });
  }
}

// 8. A scanner rotating its source address inside its IPv6 /64 on every request, 5 guesses a second, 5 minutes:
// per address it is one request; per /64 it is a wordlist.
{
  const e = episode("IPv6 rotating scanner", true, 172 * MIN, 177 * MIN);
  for (let t = e.start, n = 0; t < e.end; t += 200, n++) {
    const ip = `2001:db8:beef:1:${(1 + Math.floor(random() * 65000)).toString(16)}::${(n + 1).toString(16)}`;
    e.ips.add(ip).add(clientKeyOf(ip));
    events.push({ t, type: "req", ip, path: wordlistPath(n), ua: pick(BOT_AGENTS), status: 404, episode: e.name });
  }
}

// 9. The big customer's key rotation (see 1): the old key stops and a new one carries its 10 req/s from the same 4
// addresses. A new client with no history carrying a jump in unknown clients' traffic, unless it is seen as the
// customer's successor.
episode("customer key rotation", false, ROTATION, ROTATION + 7 * MIN);

// 10. The big customer's key, leaked: python-requests from 40 addresses the key was never used from, 50 req/s for
// 2.5 minutes. An established key carries the excess; the networks and the bot share tell it is not the customer.
{
  const e = episode("leaked customer key flood", true, 16 * MIN, 18.5 * MIN);
  const ips = Array.from({ length: 40 }, randomIp);
  for (let t = e.start; t < e.end; t += 1000) {
    for (let i = 0; i < 50; i++) {
      const ip = pick(ips);
      e.ips.add(ip);
      const at = t + Math.floor(random() * 1000);
      events.push({ t: at, type: "req", ip, path: pick(PATHS), ua: BOT_AGENTS[0], apiKey: "bigco-prod-key", status: 200, episode: e.name });
    }
  }
}
// The internet's background (noise, all along): every site is asked for the same few dozen files by ever new
// addresses, one to three guesses each, a visit every ~40 s, all answered 404.
const BACKGROUND_PROBES = (
  "/.env /.git/config /wp-login.php /xmlrpc.php /.aws/credentials /phpmyadmin/ /wp-admin/setup-config.php /config.php.bak " +
  "/.env.production /backup.zip /db.sql /.DS_Store /server-status /actuator/env /cgi-bin/luci /.git/HEAD /wp-config.php.bak " +
  "/api/.env /admin/.env /.svn/entries /phpinfo.php /.htpasswd /dump.sql /site.tar.gz /.vscode/sftp.json"
).split(" ");
for (let t = 0; t < HOURS * 60 * MIN; t += 20_000 + Math.floor(random() * 40_000)) {
  const ip = randomIp();
  const guesses = 1 + Math.floor(random() * 3);
  for (let i = 0; i < guesses; i++) {
    events.push({ t: t + i * 700, type: "req", ip, path: pick(BACKGROUND_PROBES), ua: pick(BOT_AGENTS), status: 404, episode: "noise" });
  }
}

// The internet's single injection probes (noise, all along): an address sends one or two requests the shield flags
// (a quote in a parameter, a script tag, a traversal) and is never seen again; a few an hour.
const INJECTIONS = [
  "/products?id=1' AND 1=1-- -",
  "/products?id=1 UNION ALL SELECT NULL,NULL,NULL-- -",
  "/products?id=1' AND SLEEP(5)-- -",
  "/search?q=1' OR '1'='1",
  "/api/items?sort=(SELECT 1 FROM (SELECT SLEEP(5))a)",
  "/api/items?id=1 AND extractvalue(1,concat(0x7e,version()))",
  "/search?q=<script>alert(document.cookie)</script>",
  '/search?q="><img src=x onerror=alert(1)>',
  "/download?file=../../../../etc/passwd",
  "/ping?host=;id",
  "/page?url=http://169.254.169.254/latest/meta-data/",
  "/render?name={{7*7}}",
];
for (let t = random() * 10 * MIN; t < HOURS * 60 * MIN; t += 3 * MIN + Math.floor(random() * 17 * MIN)) {
  const ip = randomIp();
  const ua = pick([...BOT_AGENTS, BROWSER, "sqlmap/1.8.2#stable (https://sqlmap.org)"]);
  for (let i = 0; i < 1 + Math.floor(random() * 2); i++) {
    events.push({ t: Math.floor(t) + i * 900, type: "req", ip, path: pick(INJECTIONS), ua, status: 403, episode: "noise" });
  }
}

// 11. A wordlist spread over 120 proxies: each asks for 2 or 3 guesses (below any per-client bucket), together ~1
// a second for 6 minutes, a list of 300 probes (dotfiles, backups, dumps and consoles under common directories).
{
  const e = episode("scan spread over 120 proxies", true, 70 * MIN, 76 * MIN);
  const files = [
    ".env",
    ".git/config",
    "backup.zip",
    "db.sql",
    "config.php.bak",
    "dump.sql",
    ".htpasswd",
    "wp-config.php.old",
    "site.tar.gz",
    ".DS_Store",
  ];
  const dirs = [
    "",
    "admin/",
    "api/",
    "app/",
    "backup/",
    "old/",
    "dev/",
    "staging/",
    "www/",
    "public/",
    "site/",
    "data/",
    "v1/",
    "cms/",
    "shop/",
    "test/",
    "src/",
    "web/",
    "new/",
    "beta/",
    "private/",
    "tmp/",
    "files/",
    "static/",
    "laravel/",
    "wordpress/",
    "blog/",
    "portal/",
    "internal/",
    "home/",
  ];
  const list = dirs.flatMap((dir) => files.map((file) => `/${dir}${file}`)).sort(() => random() - 0.5);
  const proxies = Array.from({ length: 120 }, randomIp);
  let n = 0;
  for (const ip of proxies) {
    e.ips.add(ip);
    const guesses = 2 + Math.floor(random() * 2);
    for (let i = 0; i < guesses && n < list.length; i++, n++) {
      const at = e.start + Math.floor((n / list.length) * 6 * MIN);
      events.push({ t: at, type: "req", ip, path: list[n], ua: pick([BROWSER, ...BOT_AGENTS]), status: 404, episode: e.name });
    }
  }
}
// 12. A patient scanner: the usual probes from one address, one every 45 s for 20 minutes (every burst bucket
// drains between two guesses). Found only after enough guesses, by design: ttd is minutes, not seconds.
{
  const e = episode("patient scanner, 1 probe / 45 s", true, 125 * MIN, 145 * MIN);
  const ip = "203.0.113.77";
  e.ips.add(ip);
  for (let t = e.start, n = 0; t < e.end; t += 45_000, n++) {
    events.push({
      t,
      type: "req",
      ip,
      path: BACKGROUND_PROBES[n % BACKGROUND_PROBES.length],
      ua: BOT_AGENTS[1],
      status: 404,
      episode: e.name,
    });
  }
}
// 13. An injection campaign spread over 100 proxies: sqlmap (most addresses say so in their User-Agent, some copy a
// browser's) sends each address 1 to 3 payloads, ~1 request a second, so no address nears shieldHitsPerIp.
{
  const e = episode("injection campaign over 100 proxies", true, 88 * MIN, 92 * MIN);
  const sqlmap = "sqlmap/1.8.2#stable (https://sqlmap.org)";
  const proxies = Array.from({ length: 100 }, randomIp);
  let t = e.start;
  for (const ip of proxies) {
    e.ips.add(ip);
    const ua = random() < 0.8 ? sqlmap : BROWSER;
    for (let i = 0; i < 1 + Math.floor(random() * 3); i++) {
      events.push({ t, type: "req", ip, path: pick(INJECTIONS.slice(0, 8)), ua, status: 403, episode: e.name });
      t += 500 + Math.floor(random() * 1000);
    }
  }
}
events.sort((a, b) => a.t - b.t);

// ---------------------------------------------------------------- pipeline
const dir = mkdtempSync(join(tmpdir(), "parapet-eval-observe-"));
let now = START;
const clock = { now: () => now };
// In-thread: the replay runs far faster than real time (~90k decisions/s), so a
// worker would fall behind on SQLite writes and drop rows that live traffic
// never would; the eval measures detection, and in-thread keeps it deterministic.
const observed = observe({
  store: sqliteLog({ path: join(dir, "eval.db") }),
  clock,
  logger: silentLogger,
  handleSignals: false,
  worker: false,
});
// The real bot rule, in DRY_RUN: it labels every request (the log's bot column, the detectors' bot share) and
// denies none, so the replay measures the detectors alone. Googlebot's reverse DNS as Google answers it, offline.
const googleDns = {
  reverse: async (ip) =>
    ip.startsWith("66.249.")
      ? [`crawl-${ip.replaceAll(".", "-")}.googlebot.com`]
      : Promise.reject(Object.assign(new Error("no PTR"), { code: "ENOTFOUND" })),
  resolve: async (host) => {
    const match = /^crawl-(\d+)-(\d+)-(\d+)-(\d+)\.googlebot\.com$/.exec(host);
    return match ? [match.slice(1).join(".")] : Promise.reject(Object.assign(new Error("no A"), { code: "ENOTFOUND" }));
  },
};
const labelBots = detectBot({ mode: "DRY_RUN", resolver: googleDns });
const guard = parapet({
  // The shield in DRY_RUN too: it labels attacks (the log's attack column, the scan detector's shield hits).
  rules: [blockListRule(observed.blockList, { mode: "DRY_RUN" }), labelBots, shield({ mode: "DRY_RUN" })],
  observers: [observed.observer],
  clock,
  logger: silentLogger,
});

// CrowdSec-style baseline: fixed per-IP buckets modelled on crowdsecurity/http-probing (404s, distinct
// path, 10 / 10 s), http-bf (failed logins, 5 / 10 s), http-crawl-non_statics (requests, 40 / 0.5 s)
// and a slow brute-force bucket (failed logins, 10 / 60 s).
const baselineAlerts = [];
const baselineBuckets = new Map();
function baselinePour(scenario, ip, spec, t, distinct) {
  const key = `${scenario}|${ip}`;
  let state = baselineBuckets.get(key);
  if (!state || state.bucket.isEmpty(t)) {
    state = { bucket: new LeakyBucket(spec, t), seen: new Set() };
    baselineBuckets.set(key, state);
  }
  if (distinct !== undefined) {
    if (state.seen.has(distinct)) return;
    state.seen.add(distinct);
  }
  if (state.bucket.pour(t)) {
    baselineAlerts.push({ ts: t, subject: `ip:${ip}`, scenario });
    baselineBuckets.delete(key);
  }
}

const wallStart = performance.now();
let lastTick = START;
for (const [index, event] of events.entries()) {
  now = START + event.t;
  // A server yields to I/O between requests; this loop would otherwise starve the log's timers.
  if (index % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  if (now - lastTick >= 1000) {
    observed.tick(now);
    lastTick = now;
  }
  if (event.type === "req") {
    const headers = { host: "shop.example", "user-agent": event.ua, ...(event.ua === BROWSER ? BROWSER_HEADERS : {}) };
    if (event.apiKey) headers["x-api-key"] = event.apiKey;
    const decision = await guard.protect({ method: "GET", url: event.path, ip: event.ip, headers });
    observed.recordStatus(decision, event.status);
    baselinePour("http-crawl-non_statics", event.ip, { capacity: 40, leakMs: 500 }, now);
    if (event.status === 404) baselinePour("http-probing", event.ip, { capacity: 10, leakMs: 10_000 }, now, event.path);
  } else {
    const report = { method: "POST", url: "/login", ip: event.ip, headers: { host: "shop.example" } };
    if (event.type === "fail") {
      guard.reportAuthFailure(report, { user: event.user });
      baselinePour("http-bf", event.ip, { capacity: 5, leakMs: 10_000 }, now);
      baselinePour("slow-bf", event.ip, { capacity: 10, leakMs: 60_000 }, now);
    } else guard.reportAuthSuccess(report, { user: event.user });
  }
}
observed.tick(now + 60_000);
const replaySeconds = (performance.now() - wallStart) / 1000;
await observed.flush();
const logged = (await observed.query.overview({ from: START, to: START + HOURS * 3600_000 + MIN, bucketMinutes: 1440 }))[0]?.total ?? 0;
const stats = observed.stats();
await guard.close();
rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------- scoring
const SLACK = 60_000;
function attribute(alert) {
  const t = alert.ts - START;
  const [kind, value] = alert.subject.includes(":")
    ? [alert.subject.slice(0, alert.subject.indexOf(":")), alert.subject.slice(alert.subject.indexOf(":") + 1)]
    : [alert.subject, ""];
  const active = episodes.filter((e) => t >= e.start && t <= e.end + SLACK);
  if (kind === "ip") return active.find((e) => e.ips.has(value));
  if (kind === "user") return active.find((e) => e.users.has(value));
  // Site-wide findings (a traffic spike, a list replay) belong to whatever episode is running.
  return active[0];
}
function score(name, alerts, isAlarm) {
  const rows = [];
  let falseAlarms = 0;
  const byEpisode = new Map();
  for (const alert of alerts) {
    if (!isAlarm(alert)) continue;
    const e = attribute(alert);
    if (!e?.attack) {
      falseAlarms++;
      if (e) byEpisode.set(e, (byEpisode.get(e) ?? 0) + 1);
      continue;
    }
    if (!byEpisode.has(e) || typeof byEpisode.get(e) !== "object") byEpisode.set(e, { first: alert.ts - START });
  }
  for (const e of episodes) {
    const hit = byEpisode.get(e);
    if (e.attack)
      rows.push({ episode: e.name, detected: hit ? "yes" : "NO", ttd: hit ? `${Math.round((hit.first - e.start) / 1000)} s` : "-" });
    else rows.push({ episode: e.name, detected: hit ? `FALSE ALARM x${hit}` : "no alarm (correct)", ttd: "-" });
  }
  const attacks = episodes.filter((e) => e.attack);
  const detected = attacks.filter((e) => typeof byEpisode.get(e) === "object").length;
  console.log(`\n${name}: detected ${detected}/${attacks.length} attack episodes, ${falseAlarms} false alarms`);
  console.table(rows);
  return { detected, falseAlarms };
}

console.log(
  `replayed ${events.length.toLocaleString()} events (${HOURS} h simulated, ${scanners} scanner logs) in ${replaySeconds.toFixed(1)} s; ${logged.toLocaleString()} decisions in the SQLite log, ${stats.queue.dropped} dropped`,
);
const alerts = observed.alerts();
score("parapet observe", alerts, (a) => a.severity !== "info");
// The spike classifier's calls, by episode, with the evidence it gave.
const spikes = alerts.filter((a) => a.kind === "spike");
console.log("\nspike classifier verdicts:");
console.table(
  spikes.map((a) => ({
    at: new Date(a.ts).toISOString().slice(11, 19),
    episode: attribute(a)?.name ?? "(noise)",
    verdict: a.evidence.verdict,
    "x baseline": Math.round((a.evidence.requests / Math.max(a.evidence.baselineRequests, 1)) * 10) / 10,
    "established share of excess": a.evidence.establishedShareOfExcess,
    "new clients": a.evidence.newClients,
    signals: a.evidence.signals.join(", ") || "-",
    top: a.evidence.topClients[0]?.client ?? "-",
  })),
);
// Site-wide scan findings (no one client to block), with the evidence they gave.
console.log("\nsite-wide scan and attack campaign findings:");
console.table(
  alerts
    .filter((a) => (a.kind === "scan" || a.kind === "attack_campaign") && a.subject === "site")
    .map((a) => ({
      at: new Date(a.ts).toISOString().slice(11, 19),
      episode: attribute(a)?.name ?? "(noise)",
      bucket: a.evidence.bucket,
      clients: a.evidence.clients,
      what: a.evidence.classes
        ? Object.entries(a.evidence.classes)
            .map(([c, n]) => `${c} ${n}`)
            .join(", ")
        : `${a.evidence.distinctPaths} paths`,
      "top user agent": a.evidence.topUserAgents?.[0]
        ? `${a.evidence.topUserAgents[0].userAgent.slice(0, 24)} (${a.evidence.topUserAgents[0].clients})`
        : "-",
      "top path": a.evidence.topPaths?.[0] ? `${a.evidence.topPaths[0].path} (${a.evidence.topPaths[0].clients})` : "-",
    })),
);
score("CrowdSec-style fixed per-IP buckets", baselineAlerts, () => true);
