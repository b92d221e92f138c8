import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("ssrf: parser confusion and host spellings", () => {
  for (const url of [
    "http://a@127.0.0.1@evil.example/",
    "http://evil.example#@127.0.0.1/",
    "http://evil.example@127.0.0.1/",
    "http://a@b@169.254.169.254/latest/meta-data/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    // Three Python clients, three hosts: spaces and `#` kept in the authority by one of them (Orange Tsai).
    "http://1.1.1.1 &@2.2.2.2# @127.0.0.1/",
    "http://evil.example:80 &@evil.example:80# @10.0.0.5:22/",
  ]) {
    it(`blocks ${url}`, () => assert.ok(scoreOf(ssrfDetector, url, "query", "url") >= BLOCKS, url));
  }

  for (const url of [
    "https://example.com/a@b",
    "http://user@example.com/",
    "mailto:ann@example.com",
    "https://a.example/?next=@home",
    // Prose after a URL: an address later in the text, with no `#` between, is not a reading of the URL.
    "see http://example.com and write to admin@10.0.0.1",
  ]) {
    it(`lets ${url} through`, () => assert.ok(scoreOf(ssrfDetector, url, "query", "url") < BLOCKS, url));
  }

  it("does not hang on many '@'", () => {
    const started = performance.now();
    scoreOf(ssrfDetector, `http://${"a@".repeat(50_000)}evil.example/`, "query", "url");
    scoreOf(ssrfDetector, `http://${"a #@ ".repeat(50_000)}evil.example/`, "query", "url");
    assert.ok(performance.now() - started < 2_000);
  });
});
