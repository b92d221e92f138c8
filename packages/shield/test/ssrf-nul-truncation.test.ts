import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalize } from "../src/canonicalize.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import type { Candidate } from "../src/detectors/types.js";
import { BLOCKS } from "./helpers.js";

/** `raw` as the app receives it (a NUL already decoded by the framework, or still `%00` when sent twice encoded). */
function scoreOf(raw: string): number {
  const candidate: Candidate = { location: "query.q", kind: "query", raw, canonical: canonicalize(raw), name: "q" };
  return ssrfDetector.detect(candidate)?.score ?? 0;
}

describe("ssrf: a host cut at a NUL", () => {
  for (const raw of [
    "http://127.0.0.1\0.cdn.example.net/a.png",
    "http://169.254.169.254%00.example.com/latest/meta-data/",
    "https://10.0.0.5%2500.images.example.org/",
    "http://localhost\0@example.com/",
  ]) {
    it(`blocks ${JSON.stringify(raw)}`, () => assert.ok(scoreOf(raw) >= BLOCKS, raw));
  }

  for (const raw of [
    "http://example.com/a%00b",
    "https://files.example.org/report%00.pdf",
    "http://8.8.8.8\0.example.com/",
    "50%00 off, see http://shop.example",
  ]) {
    it(`lets ${JSON.stringify(raw)} through`, () => assert.ok(scoreOf(raw) < BLOCKS, raw));
  }

  it("stays linear on many encoded NULs", () => {
    const started = performance.now();
    scoreOf(`http://a${"%2500".repeat(30_000)}`);
    scoreOf(`http://${"\0".repeat(100_000)}`);
    assert.ok(performance.now() - started < 2_000);
  });
});
