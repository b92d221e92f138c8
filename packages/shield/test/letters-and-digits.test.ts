import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parapet, silentLogger } from "@parapet/core";
import { shield } from "../src/index.js";

// Values of letters and digits only skip most detectors (they are ids and words); these are the ones that are not.
const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
const verdict = async (query: string) => {
  const decision = await client.protect({ method: "GET", url: `/?${query}`, ip: "198.51.100.4", headers: {} });
  return decision.conclusion === "DENY" ? decision.reason.message : "ALLOW";
};

describe("letters-and-digits values", () => {
  it("reads a number or hex as an address where a host is expected", async () => {
    assert.match(await verdict("url=2130706433"), /ssrf in query\.url/); // 127.0.0.1 in decimal
    assert.match(await verdict("callback=167772161"), /ssrf in query\.callback/); // 10.0.0.1
    assert.match(await verdict("target=017700000001"), /ssrf in query\.target/); // octal
    assert.match(await verdict("host=0x7f000001"), /ssrf in query\.host/);
    assert.match(await verdict("host=localhost"), /ssrf in query\.host/);
  });

  it("leaves numbers alone where they are ids", async () => {
    for (const query of ["image=42", "imageId=12345678", "site=170000000", "url=1", "q=2130706433", "page=2", "redirect=home"])
      assert.equal(await verdict(query), "ALLOW", query);
  });

  it("decodes base64 tokens of letters and digits", async () => {
    assert.match(await verdict("file=L2V0Yy9tYXN0ZXIucGFzc3dk"), /traversal/); // /etc/master.passwd
    assert.match(await verdict("state=rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA"), /code-injection/); // a Java serialized HashMap
    assert.match(await verdict("data=Y2hpbGRfcHJvY2Vzcw"), /code-injection/); // child_process
  });

  it("passes words, ids and tokens that decode to nothing", async () => {
    for (const query of [
      "name=HelloWorld2024",
      "token=aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY",
      "id=5f3a9c2e7b1d4f6a",
      "word=internationalization",
    ])
      assert.equal(await verdict(query), "ALLOW", query);
  });
});
