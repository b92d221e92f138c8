import { type Parapet, parapet, silentLogger } from "@parapet/core";
import type { ShieldReason } from "../index.js";
import { shield } from "../index.js";
import type { Sensitivity } from "../options.js";
import { type CorpusCase, type Place, parseCorpusLine } from "./corpus.js";
import { MAX_LINE_BYTES, readCorpusLines } from "./corpus-file.js";

export interface ClassScore {
  total: number;
  detected: number;
  /** Detected with the corpus's own class (the rest were blocked as another class). */
  sameClass: number;
  /** For payload cases: detections per place the payload was tried in. */
  places: Partial<Record<Place, number>>;
  /**
   * The same counts per corpus source: sources differ in kind (real payload
   * datasets vs a rule set's regression tests, which include one test per
   * regex fragment), and one rate over all of them hides which kind is missed.
   */
  bySource: Record<string, { total: number; detected: number }>;
}

export interface EvalResult {
  classes: Record<string, ClassScore>;
  benign: { total: number; flagged: number; bySource: Record<string, { total: number; flagged: number }> };
  invalid: number;
  misses: string[];
  falsePositives: string[];
  sensitivity: Sensitivity;
  durationMs: number;
}

/**
 * Runs every case of a JSONL corpus through a real `parapet()` client with only the shield. Throws
 * CorpusFileError for a file that is not text, and the file system's error for one that cannot be read.
 */
export async function evaluateCorpus(
  file: string,
  sensitivity: Sensitivity,
  onInvalid: (line: number, error: string) => void,
): Promise<EvalResult> {
  const client = parapet({ rules: [shield({ mode: "LIVE", sensitivity })], logger: silentLogger });
  const result: EvalResult = {
    classes: {},
    benign: { total: 0, flagged: 0, bySource: {} },
    invalid: 0,
    misses: [],
    falsePositives: [],
    sensitivity,
    durationMs: 0,
  };
  const started = performance.now();
  try {
    for await (const line of readCorpusLines(file)) {
      if ("tooLong" in line) {
        result.invalid++;
        onInvalid(line.number, `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
        continue;
      }
      if (line.text.trim() === "") continue;
      const parsed = parseCorpusLine(line.text);
      if (!parsed.ok) {
        result.invalid++;
        onInvalid(line.number, parsed.error);
        continue;
      }
      await score(client, parsed.value, result);
    }
  } finally {
    await client.close();
  }
  result.durationMs = performance.now() - started;
  return result;
}

async function score(client: Parapet, testCase: CorpusCase, result: EvalResult): Promise<void> {
  const hits: { place: Place; reason: ShieldReason }[] = [];
  for (const { place, request } of testCase.requests) {
    const decision = await client.protect(request);
    if (decision.conclusion === "DENY" && decision.reason.type === "SHIELD") hits.push({ place, reason: decision.reason as ShieldReason });
  }
  if (!testCase.attack) {
    result.benign.total++;
    result.benign.bySource[testCase.source] ??= { total: 0, flagged: 0 };
    const source = result.benign.bySource[testCase.source] as { total: number; flagged: number };
    source.total++;
    if (hits.length > 0) {
      result.benign.flagged++;
      source.flagged++;
      const first = hits[0] as (typeof hits)[number];
      result.falsePositives.push(`${testCase.id} ${first.place} ${first.reason.class} ${first.reason.location} ${first.reason.evidence}`);
    }
    return;
  }
  result.classes[testCase.class] ??= { total: 0, detected: 0, sameClass: 0, places: {}, bySource: {} };
  const entry = result.classes[testCase.class] as ClassScore;
  entry.total++;
  entry.bySource[testCase.source] ??= { total: 0, detected: 0 };
  const source = entry.bySource[testCase.source] as { total: number; detected: number };
  source.total++;
  if (hits.length === 0) {
    result.misses.push(`${testCase.class} ${testCase.id}`);
    return;
  }
  entry.detected++;
  source.detected++;
  if (hits.some((h) => h.reason.findings.some((f) => f.class === testCase.class))) entry.sameClass++;
  for (const hit of hits) entry.places[hit.place] = (entry.places[hit.place] ?? 0) + 1;
}
