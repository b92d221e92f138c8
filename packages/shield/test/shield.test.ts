// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, ParapetError } from "@parapet/core";
import { type PartialBodyReason, type ShieldOptions, type ShieldReason, shield } from "../src/index.js";
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

  it("denies a request holding more than its limits, where an attack could sit unread, and says what to do", async () => {
    const filler = Array.from({ length: 5_000 }, (_, i) => `p${i}=b`).join("&");
    const url = `/?${filler}&x=../../etc/passwd`;
    const late = await decide({ url }, { inspect: { maxValues: 100 } });
    // Until 2026-11-25: ALLOW, the attack past the 100th value unread.
    assert.equal(late.conclusion, "DENY");
    const reason = late.reason as PartialBodyReason;
    assert.equal(reason.type, "SHIELD_PARTIAL_BODY");
    assert.equal(reason.cause, "limits");
    assert.match(reason.message, /^request not inspected whole: .*maxValues: 100\b.*raise shield\(\{ inspect/);
    assert.equal((await decide({ url }, { inspect: { maxValues: 100 }, partialBody: "inspect" })).conclusion, "ALLOW");
    // An attack read before the limit is what the denial reports.
    const early = reasonOf(await decide({ url: `/?x=../../etc/passwd&${filler}` }, { inspect: { maxValues: 100 } }));
    assert.equal(early.truncated, true);
    // Repeats are no values: `a=b` sent 5,000 times no longer hides what follows.
    assert.equal(
      reasonOf(await decide({ url: `/?${"a=b&".repeat(5_000)}x=../../etc/passwd` }, { inspect: { maxValues: 100 } })).class,
      "traversal",
    );
  });

  it("tells text past the limits from an uploaded file read up to them", async () => {
    const limits = { inspect: { maxBytes: 4_096, maxValues: 50 } };
    const form = (body: string, type = "application/x-www-form-urlencoded") =>
      decide({ method: "POST", url: "/up", headers: { host: "h", "content-type": type }, body }, limits);
    // A form whose attack sits past maxBytes: denied as not read whole (was ALLOW).
    const padded = await form(`pad=${"x".repeat(5_000)}&q=${encodeURIComponent("1' OR '1'='1 --")}`);
    assert.equal((padded.reason as PartialBodyReason).cause, "limits");
    const boundary = "----b7";
    const csv = `id,name\n${Array.from({ length: 200 }, (_, i) => `${i},Name ${i}`).join("\n")}`;
    const part = (head: string, content: string) => `--${boundary}\r\nContent-Disposition: form-data; ${head}\r\n\r\n${content}\r\n`;
    const upload = (...parts: string[]) => form(`${parts.join("")}--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`);
    // A CSV file of 400 cells read up to 50 values: the file is stored, not a parameter list, so it passes.
    assert.equal((await upload(part('name="file"; filename="people.csv"', csv))).conclusion, "ALLOW");
    // Fields are read before files' content, so a field after the file is still read (and what it holds found).
    const after = await upload(part('name="file"; filename="people.csv"', csv), part('name="note"', "1' OR '1'='1 --"));
    assert.equal(reasonOf(after).location, "body.note");
    // Fields that are more than the limits are text missed, file or not.
    const fields = Array.from({ length: 60 }, (_, i) => part(`name="f${i}"`, `v${i}`));
    assert.equal(
      ((await upload(part('name="file"; filename="a.csv"', "a,b\n1,2"), ...fields)).reason as PartialBodyReason).cause,
      "limits",
    );
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
    const post = { method: "POST", url: "/", headers: { host: "h", "content-type": "application/json" }, body: deep };
    const decision = await decide(post);
    // What lies below depth 32 was not read: denied as such (an attack 40 levels down passed until 2026-11-25).
    assert.equal(decision.conclusion, "DENY");
    assert.equal((decision.reason as PartialBodyReason).cause, "limits");
    assert.equal((await decide(post, { partialBody: "inspect" })).conclusion, "ALLOW");
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
