import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixedWindow, parapet, silentLogger } from "@parapet/core";
import { ldapDetector } from "../src/detectors/ldap/index.js";
import { type ShieldReason, shield } from "../src/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";
import { fastestRun } from "./time-bound.js";

describe("ldap: filter injection", () => {
  it("blocks a value that closes its filter item and opens another", () => {
    for (const value of [
      "*)(uid=*))(|(uid=*",
      "admin)(&)",
      "admin)(|(password=*)",
      "x) (cn = *",
      "*)(objectClass=*",
      "jsmith)(!(memberOf=cn=disabled,ou=groups,dc=example,dc=com)",
      "%2A%29%28uid%3D%2A",
      "a)(mail>=a",
    ])
      assert.ok(scoreOf(ldapDetector, value) >= BLOCKS, value);
  });

  it("blocks a composite filter written into the value", () => {
    for (const value of ["*(|(objectclass=*))", "(&(uid=admin)(userPassword=*))", "( | ( sn=*))", "x(!(cn=guest))"])
      assert.ok(scoreOf(ldapDetector, value) >= BLOCKS, value);
  });

  it("lets parentheses in prose, code and data pass", () => {
    for (const value of [
      "John Smith (Sales)",
      "(see above) (note 2)",
      "if (!(a && b)) return;",
      "memcpy(&(s->x), src, n)",
      "(555) 123-4567",
      "f(x)(y)",
      "Great product :)(will buy again)",
      "=SUM(A1:A3)",
      "(a)(b) list items",
      "O'Brien (née Kelly)",
    ])
      assert.equal(scoreOf(ldapDetector, value), 0, value);
  });

  it("does not read header values (User-Agent comments are parenthesized)", () => {
    assert.equal(scoreOf(ldapDetector, "Mozilla/5.0 (X11)(uid=x)", "header", "user-agent"), 0);
    assert.ok(scoreOf(ldapDetector, "x)(uid=*", "cookie", "session") >= BLOCKS);
  });

  it("stays linear on long runs of parentheses", () => {
    for (const value of [")(".repeat(50_000), "(|(".repeat(30_000), `)(${"a".repeat(100_000)}`, `(|(${"a.".repeat(50_000)}`]) {
      const ms = fastestRun(
        () => ldapDetector.detect({ location: "query.q", kind: "query", raw: value, canonical: value, name: "q" }),
        200,
      );
      assert.ok(ms < 200, `${value.slice(0, 8)}… took ${ms.toFixed(0)} ms`);
    }
  });

  it("denies through protect() and names the class and the place", async () => {
    const client = parapet({ rules: [fixedWindow({ max: 100, window: "1m" }), shield({ mode: "LIVE" })], logger: silentLogger });
    const decision = await client.protect({
      method: "POST",
      url: "/login",
      ip: "203.0.113.9",
      headers: { host: "app.test", "content-type": "application/json" },
      body: JSON.stringify({ user: "*)(uid=*))(|(uid=*", password: "x" }),
    });
    assert.equal(decision.conclusion, "DENY");
    assert.equal(decision.reason.type, "SHIELD");
    const reason = decision.reason as ShieldReason;
    assert.equal(reason.class, "ldap");
    assert.equal(reason.location, "body.user");
    const allowed = await client.protect({
      method: "GET",
      url: "/people?q=Smith%20(Sales)",
      ip: "203.0.113.9",
      headers: { host: "app.test" },
    });
    assert.equal(allowed.conclusion, "ALLOW");
  });
});
