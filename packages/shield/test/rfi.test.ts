import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rfiDetector } from "../src/detectors/rfi/index.js";
import { BLOCKS, describeRules, scoreOf, shieldDecision } from "./helpers.js";

/** The default sensitivity's threshold is BLOCKS; "high" blocks from this score. */
const HIGH = 0.5;

const under = (name: string) => (value: string) => scoreOf(rfiDetector, value, "query", name);
const asQuery = under("x");

describeRules("remote file inclusion: marks of an include payload", asQuery, {
  "a raw public IP address as the host": {
    attacks: [
      "http://66.240.183.75/crash.php",
      "https://[2001:41d0:701:1100::29c8]/gecko.php",
      "https://2001:41d0:701:1100::29c8/gecko.php",
      "ftp://1.1.1.1",
    ],
    // Internal addresses are the SSRF detector's; a name is not an address.
    benign: ["http://127.0.0.1/x.php", "http://10.0.0.5/shell.txt?", "https://one.one.one.one/", "version 1.1.1.1 released"],
  },
  "a bare ? or # that cuts off the suffix the app appends": {
    attacks: ["http://evil.example/shell.txt?", "https://evil.example/c99.php??", "http://evil.example/r57.txt#", "https://foo.bar?"],
    benign: [
      "https://app.example.com/callback?",
      "https://example.com/#",
      "https://example.com/docs#",
      "is it http://example.com?",
      "check out http://evil.example/shell.txt? it's great",
      "Visit https://example.com/index.php?",
    ],
  },
  "a NUL that ends the URL": {
    attacks: ["http://evil.example/shell.txt%00", "http://evil.example/shell.txt%2500.jpg"],
    benign: ["http://evil.example/shell.txt 100%", "https://example.com/a%20b"],
  },
});

describeRules("remote file inclusion: include-like parameter names", under("page"), {
  "a code file under an include name": {
    attacks: ["https://evil.example/shell.txt", "http://evil.example/inc/config.php", "http://66.240.183.75/"],
    benign: ["https://example.com/docs", "https://example.com/page.php?x=1", "2", "about-us"],
  },
});

describe("remote file inclusion: scores and places", () => {
  it("lets plain external links through at the default sensitivity", () => {
    const links = [
      "https://hooks.example.com/x",
      "https://cdn.example.com/file.php",
      "https://forum.example.com/viewtopic.php?t=123",
      "https://example.com/robots.txt",
      "https://example.com:1234/",
      "https://example.com.evil.com/",
      "ftp://ftp.example.org/pub/file.tar.gz",
      "/account?tab=2",
    ];
    for (const value of links) assert.ok(asQuery(value) < BLOCKS, `${value}: ${asQuery(value)}`);
  });

  it("blocks any URL under a known vulnerable PHP global", () => {
    const value = "https://foo.bar";
    const global = { location: "query._CONF.path", kind: "query", raw: value, canonical: value, name: "path" } as const;
    assert.ok((rfiDetector.detect(global)?.score ?? 0) >= BLOCKS);
    assert.ok((rfiDetector.detect({ ...global, location: "query.path" })?.score ?? 0) < BLOCKS);
  });

  it("keeps weak marks for the high sensitivity only", () => {
    for (const value of ["https://cdn.example.com/file.php", "https://app.example.com/callback?", "ftp://ftp.example.org/pub/"]) {
      const score = asQuery(value);
      assert.ok(score >= HIGH && score < BLOCKS, `${value}: ${score}`);
    }
    assert.ok(under("page")("https://example.com/docs") >= HIGH);
  });

  it("ignores ordinary links whatever the name", () => {
    for (const name of ["redirect_uri", "callback", "next", "url", "webhook", "file", "avatar"]) {
      assert.equal(under(name)("https://app.example.com/callback"), 0, name);
      assert.equal(under(name)("https://cdn.example.com/report.txt"), 0, name);
    }
  });

  it("never reads headers or the path", () => {
    assert.equal(scoreOf(rfiDetector, "http://66.240.183.75/crash.php", "header", "referer"), 0);
    assert.equal(scoreOf(rfiDetector, "http://66.240.183.75/crash.php", "path", "path"), 0);
  });
});

describe("remote file inclusion through the shield rule", () => {
  it("blocks a script on a raw IP in a query parameter", async () => {
    const decision = await shieldDecision(new Request("http://app.test/thumb.php?src=http://66.240.183.75/crash.php"));
    assert.equal(decision.conclusion, "DENY");
    assert.ok("class" in decision.reason && decision.reason.class === "rfi");
  });

  it("allows OAuth and webhook URLs in a JSON body", async () => {
    const body = JSON.stringify({
      redirect_uri: "https://app.example.com/callback",
      webhook: "https://hooks.example.com/services/T000/B000/XXXX",
      next: "/account?tab=2",
      avatarUrl: "https://cdn.example.com/u/1.png",
    });
    const request = new Request("http://app.test/settings", { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal((await shieldDecision(request)).conclusion, "ALLOW");
  });
});
