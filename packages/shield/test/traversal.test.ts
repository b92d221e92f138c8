import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("traversal detector", () => {
  for (const attack of [
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fshadow",
    "%252e%252e%252f%252e%252e%252fwindows/win.ini",
    "..%c0%af..%c0%afboot.ini",
    "....//....//etc/hosts",
    "..\\..\\..\\windows\\system32\\drivers\\etc\\hosts",
    "/etc/passwd",
    "file:///etc/passwd",
    "php://filter/convert.base64-encode/resource=index.php",
    "c:\\windows\\win.ini",
    "/proc/self/environ",
    "..;/..;/WEB-INF/web.xml",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    "2.5 kg",
    "see page 3...",
    "images/logo.png",
    "v1.2.3",
    "http://example.com/a/b",
    "John Smith Jr.",
    "etc. and so on",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }

  it("treats a single ../ as suspicious, not conclusive", () => {
    const score = scoreOf(traversalDetector, "../images/a.png");
    assert.ok(score > 0 && score < BLOCKS);
  });
});
