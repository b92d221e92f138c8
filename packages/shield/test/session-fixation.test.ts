import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sessionFixationDetector } from "../src/detectors/session-fixation/index.js";
import { BLOCKS, describeRules, scoreOf, shieldDecision } from "./helpers.js";

const asQueryKey = (key: string) => scoreOf(sessionFixationDetector, key, "query-key", key);
const asBodyKey = (key: string) => scoreOf(sessionFixationDetector, key, "body-key", key);
const asValue = (value: string) => scoreOf(sessionFixationDetector, value, "query", "q");

describeRules("session fixation: a framework's session cookie name as a parameter", asQueryKey, {
  "PHP, Java, ASP.NET and ColdFusion names, in any case": {
    attacks: ["PHPSESSID", "phpsessid", "PHPSESSid", "JSESSIONID", "ASP.NET_SessionId", "CFID", "cftoken", "phpsession"],
    benign: ["php", "sessions", "jsession", "cf", "cfg", "phpinfo"],
  },
  "classic ASP's random suffix": {
    attacks: ["ASPSESSIONIDQQGGQRTB", "aspsessionid", "ASPSESSIONIDSCQTBSRA"],
    benign: ["aspsession", "aspsessionid_backup_list"],
  },
  "Node.js, Ruby and Python framework cookies": {
    attacks: ["connect.sid", "sails.sid", "next-auth.session-token", "rack.session", "laravel_session", "_flask_session"],
    benign: ["connect", "sid", "sails", "next", "auth.token", "session.token", "flask"],
  },
  "__Host- and __Secure- prefixes hide nothing": {
    attacks: ["__Host-next-auth.session-token", "__Secure-next-auth.session-token", "__Host-connect.sid"],
    benign: ["__Host-theme", "__Secure-lang"],
  },
  "Rails, Drupal and WordPress name the cookie after the app": {
    attacks: ["_myshop_session", "_blog_app_session", `SESS${"0123456789abcdef".repeat(2)}`],
    benign: ["_session", "session_", "_session_count", "SESSabc", "my_session"],
  },
  "an app's own session id is not a framework cookie": {
    // camelCase and snake_case are how apps name their own ids (a chat session, Stripe Checkout's ?session_id=).
    attacks: ["sessionid", "session-id"],
    benign: ["sessionId", "session_id", "SessionID", "session", "sid", "token", "csrf_token", "session_token"],
  },
});

describe("session fixation: scoring and places", () => {
  it("scores Django's generic `sessionid` below the framework-only names", () => {
    assert.ok(asQueryKey("sessionid") < asQueryKey("PHPSESSID"));
  });

  it("judges JSON keys and the last segment of a bracketed key", () => {
    assert.ok(asBodyKey("jsessionid") >= BLOCKS);
    assert.ok(asQueryKey("user[PHPSESSID]") >= BLOCKS);
    assert.equal(asQueryKey("PHPSESSID[x]"), 0);
  });

  it("leaves session cookies in the Cookie header alone", () => {
    const cookieName = {
      location: "cookie.PHPSESSID",
      kind: "query-key",
      raw: "PHPSESSID",
      canonical: "PHPSESSID",
      name: "PHPSESSID",
    } as const;
    assert.equal(sessionFixationDetector.detect(cookieName), undefined);
  });

  it("does not read a name from a value", () => {
    assert.equal(asValue("PHPSESSID"), 0);
    assert.equal(scoreOf(sessionFixationDetector, "connect.sid", "header", "referer"), 0);
  });
});

describeRules("session fixation: a value that writes a cookie", asValue, {
  "document.cookie with attributes": {
    attacks: [
      '<script>document.cookie="sessionid=1234; domain=.example.dom";</script>',
      "document.cookie = 'PHPSESSID=attacker; path=/'",
      ".cookie;expires=",
      "x.cookie=a%3Db%3B%20max-age%3D99999",
    ],
    benign: [
      "the cookie expires tomorrow",
      "set document.cookie to store a flag",
      'res.cookie("a", 1); path = "/x"',
      "if (document.cookie) { go(); domain = 'x' }",
      "cookie; expires= unknown",
    ],
  },
  "a meta tag or a header that sets a cookie": {
    attacks: ['<meta http-equiv="Set-Cookie" content="sid=evil">', "x\r\nSet-Cookie: sid=evil", "ok%0d%0aSet-Cookie:%20PHPSESSID=1"],
    benign: ["the Set-Cookie: header carries it", "meta http-equiv refresh", "Set-Cookie: a=b explained in the docs"],
  },
});

describe("session fixation through the shield rule", () => {
  it("blocks a session id planted in a link", async () => {
    const decision = await shieldDecision(
      new Request("http://app.test/login?PHPSESSID=attacker-chosen", { headers: { referer: "https://evil.example/" } }),
    );
    assert.equal(decision.conclusion, "DENY");
    assert.equal(decision.reason.type, "SHIELD");
    assert.ok("class" in decision.reason && decision.reason.class === "session-fixation");
  });

  it("blocks a session cookie name as a JSON key", async () => {
    const request = new Request("http://app.test/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"connect.sid":"s:abc"}',
    });
    assert.equal((await shieldDecision(request)).conclusion, "DENY");
  });

  it("allows the same session cookie sent as a cookie, and an app's own sessionId", async () => {
    const request = new Request("http://app.test/api/chat?sessionId=42&session_id=cs_test_a1", {
      method: "POST",
      headers: { cookie: "PHPSESSID=abc123; connect.sid=s%3Axyz", "content-type": "application/json" },
      body: JSON.stringify({ sessionId: "abc", session: { expires: "2026-01-01T00:00:00Z", user: "ann" } }),
    });
    assert.equal((await shieldDecision(request)).conclusion, "ALLOW");
  });
});
