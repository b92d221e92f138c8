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

describe("traversal in base64", () => {
  /** An icon-like file: a header, mostly zero bytes, and `../` and `..\` where pixel data happens to spell them. */
  function binaryFile(): Buffer {
    const bytes = Buffer.alloc(4096);
    bytes.write("\u0000\u0000\u0001\u0000\u0001\u0000", 0, "latin1");
    for (let at = 64; at < bytes.length - 8; at += 97) bytes.write(at % 2 === 0 ? "../" : "..\\", at, "latin1");
    for (let at = 100; at < bytes.length; at += 13) bytes[at] = (at * 31) & 0xff;
    return bytes;
  }

  it("denies climbs and server files encoded in base64, also with a NUL to cut a suffix", () => {
    for (const path of ["../../etc/passwd", "../../etc/passwd\u0000.png", "..\\..\\windows\\win.ini", "/etc/shadow"]) {
      const encoded = Buffer.from(path, "latin1").toString("base64");
      assert.ok(scoreOf(traversalDetector, encoded, "body", "file") >= BLOCKS, `${path} as ${encoded}`);
    }
  });

  it("denies a climb a NUL cuts off from binary padding, as a NUL-truncating API opens it", () => {
    const padded = Buffer.concat([Buffer.from("../../etc/passwd\u0000", "latin1"), Buffer.alloc(4096, 1)]);
    assert.ok(scoreOf(traversalDetector, padded.toString("base64"), "body", "file") >= BLOCKS);
  });

  it("lets a binary file's base64 through though its bytes spell climbs", () => {
    const file = binaryFile();
    assert.ok(file.toString("latin1").split("../").length > 10, "the fixture holds climbs");
    assert.ok(scoreOf(traversalDetector, file.toString("base64"), "body", "file") < BLOCKS);
  });
});
