import assert from "node:assert/strict";
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { type PlainRequest, parapet, type Rule, silentLogger } from "@parapet/core";
import fc from "fast-check";
import { CONTROL, charClassesOf, PLAIN_CLASSES } from "../src/detectors/char-classes.js";
import { type Candidate, REGISTRY, type RegisteredDetector } from "../src/detectors/index.js";
import { parseCorpusLine } from "../src/eval/corpus.js";
import { collectCandidates } from "../src/inspect/index.js";
import { resolveShieldOptions } from "../src/options.js";
import { scanCandidates } from "../src/scan.js";
import { payloadsFromTests } from "./payloads-from-tests.js";

// The scan skips detectors by the shape of a value (letters and digits only, plain words, a detector's `needs`,
// the plain gates), and the plumbing and the detectors turn values away with cheap checks before the real work.
// A shortcut may only skip work that would have found nothing: here the findings of the scan (whatever their
// score) are compared, one for one, with those of every registered detector run on every candidate, except where
// the registry decides not to look (`expectedReaders`).

const limits = resolveShieldOptions({ mode: "LIVE" }).limits;
const ANY_HEADER = REGISTRY.filter((entry) => entry.anyHeader);

/**
 * Letters-and-digits values (no syntax at all) reach only the detectors that list the word, or whose `inertGate`
 * admits the value: a choice of the registry, as for plain keys. SSRF, for one, would call any bare number an
 * address (`image=42` is 0.0.0.42) and is given numbers only where a host is expected; the decoders are given
 * base64 runs, not words. Everything else a shortcut skips must be something no detector would flag.
 */
function gateDeclines(entry: RegisteredDetector, candidate: Candidate, classes: number): boolean {
  return (
    entry.inertGate !== undefined && classes === 0 && !isKey(candidate) && candidate.canonical.length <= 64 && !entry.inertGate(candidate)
  );
}

function isKey(candidate: Candidate): boolean {
  return candidate.kind === "query-key" || candidate.kind === "body-key";
}

/**
 * The detectors that should read a candidate: all of them, but a key of plain text only by those that list plain
 * keys or have a plain gate (a choice of the registry: keys are names, not commands), and not where a known gap
 * (above) keeps one away.
 */
/** The classes of the value as sent: a NUL that canonicalization removed is still a control character. */
function classesAsSent(candidate: Candidate): number {
  return charClassesOf(candidate.canonical) | (candidate.withNul === undefined ? 0 : CONTROL);
}

function expectedReaders(candidate: Candidate, registry: readonly RegisteredDetector[]): readonly RegisteredDetector[] {
  const classes = classesAsSent(candidate);
  return everyReader(candidate, registry).filter((entry) => !gateDeclines(entry, candidate, classes));
}

/** Every detector, but on a key of plain text only those that list plain keys or have a plain gate: what closing the gaps would give. */
function everyReader(candidate: Candidate, registry: readonly RegisteredDetector[]): readonly RegisteredDetector[] {
  const plainKey = isKey(candidate) && (classesAsSent(candidate) & ~PLAIN_CLASSES) === 0;
  return plainKey ? registry.filter((entry) => entry.plainKeys || entry.plainGate !== undefined) : registry;
}

function describeEvery(
  candidates: readonly Candidate[],
  registry: readonly RegisteredDetector[],
  readers: (candidate: Candidate, registry: readonly RegisteredDetector[]) => readonly RegisteredDetector[],
): string[] {
  const rows: string[] = [];
  for (const candidate of candidates)
    for (const { detector } of readers(candidate, registry)) {
      const finding = detector.detect(candidate);
      if (finding) rows.push(`${finding.class} ${candidate.location} ${finding.score} ${finding.evidence}`);
    }
  return rows.sort();
}

function describeScan(candidates: readonly Candidate[], registry: readonly RegisteredDetector[]): string[] {
  return scanCandidates(candidates, registry, 0)
    .map((f) => `${f.class} ${f.location} ${f.score} ${f.evidence}`)
    .sort();
}

interface Comparison {
  readonly scan: string[];
  readonly every: string[];
  readonly values: string[];
}

/**
 * Runs each request through protect() with a rule that collects its candidates as the shield's plumbing builds
 * them, and compares the scan with every reader on them (`readers`). Compared in the rule, asserted after
 * protect(): a rule that throws becomes an ERROR decision, not a failed test. Returns how many values were compared.
 */
async function compare(requests: Iterable<PlainRequest>, readers: typeof expectedReaders = expectedReaders): Promise<number> {
  let values = 0;
  let seen: Comparison[] = [];
  const spy: Rule = {
    type: "SPY",
    mode: "LIVE",
    cost: 1,
    async evaluate({ request }) {
      const { candidates, otherHeaders } = collectCandidates(request, await request.body(), limits);
      values += candidates.length + otherHeaders.length;
      const raw = [...candidates, ...otherHeaders].map((c) => c.raw);
      seen.push({ scan: describeScan(candidates, REGISTRY), every: describeEvery(candidates, REGISTRY, readers), values: raw });
      seen.push({ scan: describeScan(otherHeaders, ANY_HEADER), every: describeEvery(otherHeaders, ANY_HEADER, readers), values: raw });
      return { conclusion: "ALLOW", reason: { type: "ALLOWED", message: "spy" } };
    },
  };
  const client = parapet({ rules: [spy], logger: silentLogger });
  try {
    for (const request of requests) {
      seen = [];
      const decision = await client.protect(request);
      assert.equal(decision.conclusion, "ALLOW", `the spy rule failed on ${JSON.stringify(request)}`);
      assert.equal(seen.length, 2, `the spy rule did not run on ${JSON.stringify(request)}`);
      for (const { scan, every, values } of seen) assert.deepEqual(scan, every, JSON.stringify(values));
    }
  } finally {
    await client.close();
  }
  return values;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** One value in every place the shield reads: path, query (plain and URL-named), JSON key and leaves, cookie, headers, form. */
function* placesOf(value: string): Generator<PlainRequest> {
  // A lone surrogate cannot be URL-encoded; the JSON body still carries it as is.
  const wellFormed = (value as string & { toWellFormed(): string }).toWellFormed();
  const encoded = encodeURIComponent(wellFormed);
  const headers: Record<string, string> = { host: "shop.test", "content-type": "application/json" };
  if (PRINTABLE.test(value)) {
    headers["user-agent"] = value;
    headers["x-custom"] = value;
  }
  yield {
    method: "POST",
    url: `/items/${encoded}?q=${encoded}&callback_url=${encoded}`,
    headers: { ...headers, cookie: `c=${encoded}` },
    body: JSON.stringify({ q: value, url: value, [value]: 1, items: [{ name: value }, { name: `${value} ` }] }),
    ip: "192.0.2.1",
  };
  // A form, and the value inside a sentence: the plain-text paths see prose around it, not a lone token.
  yield {
    method: "POST",
    url: "/form",
    headers: { host: "shop.test", "content-type": "application/x-www-form-urlencoded" },
    body: `note=${encodeURIComponent(`see ${wellFormed} for details`)}&file=${encoded}`,
    ip: "192.0.2.1",
  };
}

function* everyPlace(values: Iterable<string>): Generator<PlainRequest> {
  for (const value of values) yield* placesOf(value);
}

/** Words and characters that reach the detectors' gates and the scan's shapes. */
const PIECES = [
  ..."aZ09 _.,@-+'\"`;|&$(){}<>[]/\\:%=*?#!~^\t\n\u00e9\uff1c",
  "Item number 12",
  "select",
  "union",
  "or 1=1",
  "sleep",
  "whoami",
  "netsh",
  "reg",
  "if exist",
  "-enc",
  "cat /etc/passwd",
  "..",
  "localhost",
  "127.0.0.1",
  "http://",
  "__proto__",
  "constructor",
  "prototype",
  "java.lang.Runtime",
  "rO0AB",
  "Y2hpbGRfcHJvY2Vzcw",
  "document.cookie",
  "+ADw-",
  "${jndi:",
  "{{7*7}}",
  "$ne",
  "<?xml ",
  "<script>",
  "%27",
  "&#x3c;",
];

describe("the scan's shortcuts", () => {
  it("find what every detector finds, on the unit tests' payloads in every place", async () => {
    const payloads = payloadsFromTests();
    assert.ok(payloads.length > 500, `only ${payloads.length} string literals found in the test sources`);
    const values = await compare(everyPlace(payloads));
    assert.ok(values > payloads.length * 5, `only ${values} values compared`);
  });

  it("find what every detector finds, on values built from attack fragments and random text", async () => {
    const built = fc.sample(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }), { numRuns: 600, seed: 42 });
    const random = fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { numRuns: 300, seed: 7 });
    // Base64 of the same, with and without padding: tokens of every length for the detectors that decode it.
    const encoded = built.slice(0, 200).flatMap((pieces) => {
      const base64 = Buffer.from(pieces.join("").repeat(3)).toString("base64");
      return [base64, base64.replace(/=+$/, "")];
    });
    await compare(everyPlace([...built.map((pieces) => pieces.join("")), ...random, ...encoded]));
  });

  it("find what every detector finds, on the dev corpus", async (t) => {
    const corpus = new URL("../../../../../shared/corpora/shield/dev.jsonl", import.meta.url);
    if (!existsSync(corpus)) {
      t.skip(`no dev corpus at ${corpus.pathname}`);
      return;
    }
    // Every 5th line keeps the test to a few seconds; each line is checked in each of its places.
    const requests: PlainRequest[] = [];
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(corpus) })) {
      if (line++ % 5 !== 0) continue;
      const parsed = parseCorpusLine(text);
      if (parsed.ok) for (const { request } of parsed.value.requests) requests.push(request);
    }
    assert.ok(requests.length > 1000, `only ${requests.length} corpus requests`);
    await compare(requests);
  });

  it("give the decoders base64 tokens of letters and digits, and SSRF numbers where a host is expected", async () => {
    const tokens = ["rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", "Y2hpbGRfcHJvY2Vzcw", "L2V0Yy9tYXN0ZXIucGFzc3dk", "2130706433", "0x7f000001"];
    await compare(everyPlace(tokens));
  });

  it("give XSS a DOM read joined into a string and base64 of markup", async () => {
    await compare(everyPlace(["1+document.cookie+1", "x+window.name", "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"]), everyReader);
  });
});
