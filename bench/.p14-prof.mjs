import { parapet, silentLogger } from "@parapet/core";
import { shield } from "@parapet/shield";
const items = []; let text = "";
while (text.length < 10_240) { items.push({ id: items.length, name: `Item number ${items.length}`, note: "Fits true to size, ships in 2-3 days.", tags: ["new", "sale"] }); text = JSON.stringify({ order: { customer: "Ann O'Brien", email: "ann@example.com", items } }); }
const req = { method: "POST", url: "/orders", headers: { host: "shop.test", "content-type": "application/json" }, body: text, ip: "203.0.113.7" };
const get = { method: "GET", url: "/products/42?category=shoes&color=dark+blue&size=10&sort=price_asc&page=2", headers: { host: "shop.test", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", referer: "https://shop.test/", cookie: "sid=abc123; theme=dark" }, ip: "203.0.113.7" };
const bare = parapet({ rules: [], logger: silentLogger });
const c = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
async function t(client, r, n) { for (let i = 0; i < 3000; i++) await client.protect(r); const s = []; for (let i = 0; i < n; i++) { const a = performance.now(); await client.protect(r); s.push((performance.now() - a) * 1000); } s.sort((a, b) => a - b); return s[n >> 1].toFixed(1); }
console.log("json", await t(c, req, 20000), "bare", await t(bare, req, 20000));
console.log("get", await t(c, get, 20000), "bare", await t(bare, get, 20000));
