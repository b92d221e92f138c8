import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalize, percentDecode } from "../src/canonicalize.js";

describe("canonicalize", () => {
  it("returns plain values unchanged", () => {
    assert.equal(canonicalize("hello world"), "hello world");
    assert.equal(canonicalize("O'Brien"), "O'Brien");
  });

  it("decodes repeated URL encoding", () => {
    assert.equal(canonicalize("%252e%252e%252f"), "../");
    assert.equal(canonicalize("%25252e"), ".");
  });

  it("decodes overlong UTF-8 and %u escapes the way old IIS and Tomcat did", () => {
    assert.equal(canonicalize("%c0%ae%c0%ae%c0%af"), "../");
    assert.equal(canonicalize("%e0%80%af"), "/");
    assert.equal(canonicalize("%u002e%u002e%u2215"), "../");
  });

  it("decodes HTML entities with and without the semicolon, and JavaScript escapes", () => {
    assert.equal(canonicalize("&lt;script&gt;"), "<script>");
    assert.equal(canonicalize("&#x3c;&#60&#0000060;"), "<<<");
    assert.equal(canonicalize("$&lcub;\\u006A&#110;di:"), "${jndi:");
    assert.equal(canonicalize("$\\u0026lbracejndi"), "${jndi");
    assert.equal(canonicalize("__\\u0070\\u0072oto__"), "__proto__");
  });

  it("folds full-width and compatibility forms and removes NUL", () => {
    assert.equal(canonicalize("\uff1cscript\uff1e"), "<script>");
    assert.equal(canonicalize("\u2460\u2465\u2468"), "169");
    assert.equal(canonicalize("passwd%00.png"), "passwd.png");
  });

  it("keeps backslashes and malformed escapes as written", () => {
    assert.equal(canonicalize("..\\..\\windows"), "..\\..\\windows");
    assert.equal(canonicalize("100%"), "100%");
    assert.equal(canonicalize("%zz%4"), "%zz%4");
    assert.equal(percentDecode("%ff%fe"), "%ff%fe");
  });

  it("stops after a bounded number of rounds", () => {
    // Eight layers of encoding: we decode four, which is more than any server does.
    let value = "/";
    for (let i = 0; i < 8; i++) value = encodeURIComponent(value);
    const result = canonicalize(value);
    assert.notEqual(result, "/");
    assert.ok(result.includes("%25"));
  });
});
