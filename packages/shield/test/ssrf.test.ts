import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyHost, parseIpv4 } from "../src/detectors/ssrf/host.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("ssrf host classification", () => {
  it("reads IPv4 the way inet_aton does", () => {
    assert.equal(parseIpv4("127.0.0.1"), 0x7f000001);
    assert.equal(parseIpv4("2130706433"), 0x7f000001);
    assert.equal(parseIpv4("0x7f.1"), 0x7f000001);
    assert.equal(parseIpv4("0177.0.0.01"), 0x7f000001);
    assert.equal(parseIpv4("0251.0376.0251.0376"), 0xa9fea9fe);
    assert.equal(parseIpv4("256.1.1.1"), undefined);
    assert.equal(parseIpv4("example.com"), undefined);
  });

  it("classifies internal targets", () => {
    assert.equal(classifyHost("localhost"), "loopback");
    assert.equal(classifyHost("169.254.169.254"), "metadata");
    assert.equal(classifyHost("metadata.google.internal"), "metadata");
    assert.equal(classifyHost("[::ffff:a9fe:a9fe]"), "metadata");
    assert.equal(classifyHost("[::ffff:127.0.0.1]"), "loopback");
    assert.equal(classifyHost("[::1]"), "loopback");
    assert.equal(classifyHost("10.1.2.3"), "private");
    assert.equal(classifyHost("[fe80::1%25eth0]"), "link-local");
    assert.equal(classifyHost("127.0.0.1.nip.io"), "loopback");
    assert.equal(classifyHost("example.com"), undefined);
    assert.equal(classifyHost("8.8.8.8"), undefined);
    assert.equal(classifyHost("[2001:db8::1]"), undefined);
  });
});

describe("ssrf detector", () => {
  for (const attack of [
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://[::ffff:a9fe:a9fe]/",
    "http:[::ffff:a9fe:a9fe]",
    "https://user@127.0.0.1:8080/admin",
    "gopher://localhost:6379/_FLUSHALL",
    "imap://\u2460\u2465\u2468.\u2461\u2464\u2463.\u2460\u2465\u2468.\u2461\u2464\u2463",
    "http://metadata.google.internal/computeMetadata/v1/",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(ssrfDetector, attack) >= BLOCKS, attack));
  }

  it("blocks a DNS alias of an internal address given alone, whatever the parameter", () => {
    for (const alias of ["127.0.0.1.nip.io", "app.10.0.0.5.sslip.io", "localtest.me", "metadata.google.internal"])
      assert.ok(scoreOf(ssrfDetector, alias, "query", "comment") >= BLOCKS, alias);
    // Names that also mean something else stay with the URL-named parameters: a search for "localhost" or a printer.
    for (const name of ["localhost", "printer.local", "nip.io", "example.com", "see 127.0.0.1.nip.io docs"])
      assert.ok(scoreOf(ssrfDetector, name, "query", "comment") < BLOCKS, name);
  });

  it("blocks a bare internal host in a URL-named parameter", () => {
    assert.ok(scoreOf(ssrfDetector, "localhost/", "query", "url") >= BLOCKS);
    assert.equal(scoreOf(ssrfDetector, "localhost/", "query", "comment"), 0);
  });

  for (const benign of [
    "https://example.com/a?b=c",
    "http://8.8.8.8/",
    "ping 127.0.0.1",
    "version 10.0.0.1 released",
    "see http://example.org",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(ssrfDetector, benign) < BLOCKS, benign));
  }

  it("does not inspect Referer-like headers, which point at localhost during development", () => {
    assert.equal(scoreOf(ssrfDetector, "http://localhost:3000/page", "header", "referer"), 0);
  });
});
