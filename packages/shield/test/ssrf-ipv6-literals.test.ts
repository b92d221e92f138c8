import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("ssrf: IPv6 literals and ideographic dots", () => {
  for (const value of [
    "http://[a::b]/",
    "http://[dead:beef::1]/",
    "http://[::127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://127\u30020\u30020\u30021/admin",
    "http://169\u3002254\u3002169\u3002254/latest/meta-data/",
  ])
    it(`blocks ${value}`, () => assert.ok(scoreOf(ssrfDetector, value, "query", "url") >= BLOCKS, value));
  for (const value of ["https://[2606:4700:4700::1111]/", "https://[2001:db8::1]:8080/", "https://\u4f8b\u3048.jp/\u30d1\u30b9\u3002html"])
    it(`lets ${value} through`, () => assert.ok(scoreOf(ssrfDetector, value, "query", "url") < BLOCKS, value));
});
