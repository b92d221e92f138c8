/**
 * `parapet eval bots <corpus.jsonl> [--json]`: scores the User-Agent
 * classifier on a labeled corpus (one `{ "ua": string, "bot": boolean }` per
 * line) and, in the same run, the `isbot` package, so the comparison is fair.
 */
import { readFile } from "node:fs/promises";
import { isbot } from "isbot";
import { bundledCatalogue } from "./catalogue.js";
import { createUserAgentClassifier } from "./classify.js";

export interface Score {
  readonly bots: { total: number; detected: number };
  readonly humans: { total: number; flagged: number };
}

export interface LabeledUserAgent {
  readonly ua: string;
  readonly bot: boolean;
}

const USAGE = 'usage: parapet eval bots <corpus.jsonl> [--json]\n  each line: {"ua": "…", "bot": true|false}\n';

/** Parses a JSONL corpus; throws an Error naming the first bad line. */
export function parseCorpus(text: string, source: string): LabeledUserAgent[] {
  const cases: LabeledUserAgent[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`${source}:${index + 1}: not valid JSON; each line must be one object like {"ua": "curl/8.5.0", "bot": true}`);
    }
    const { ua, bot } = (row ?? {}) as { ua?: unknown; bot?: unknown };
    if (typeof ua !== "string" || typeof bot !== "boolean") {
      throw new Error(`${source}:${index + 1}: needs "ua" (a string) and "bot" (true or false)`);
    }
    cases.push({ ua, bot });
  }
  return cases;
}

export function score(cases: readonly LabeledUserAgent[], isBot: (ua: string) => boolean): Score {
  const result = { bots: { total: 0, detected: 0 }, humans: { total: 0, flagged: 0 } };
  for (const { ua, bot } of cases) {
    const flagged = isBot(ua);
    if (bot) {
      result.bots.total++;
      if (flagged) result.bots.detected++;
    } else {
      result.humans.total++;
      if (flagged) result.humans.flagged++;
    }
  }
  return result;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(2)}%`;
}

function describe(name: string, s: Score): string {
  return `${name.padEnd(8)} recall ${percent(s.bots.detected, s.bots.total).padStart(7)} (${s.bots.detected}/${s.bots.total} bots)   false positives ${percent(s.humans.flagged, s.humans.total).padStart(7)} (${s.humans.flagged}/${s.humans.total} humans)`;
}

export async function run(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const json = argv.includes("--json");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--json");
  const paths = argv.filter((a) => !a.startsWith("-"));
  if (unknown.length > 0 || paths.length !== 1) {
    process.stderr.write(
      `parapet eval bots: ${unknown.length > 0 ? `unknown option ${unknown[0]}` : "give exactly one corpus file"}\n${USAGE}`,
    );
    return 2;
  }
  const path = paths[0]!;
  let cases: LabeledUserAgent[];
  try {
    cases = parseCorpus(await readFile(path, "utf8"), path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = code === "ENOENT" ? `${path}: no such file` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`parapet eval bots: ${message}\n`);
    return 2;
  }
  if (cases.length === 0) {
    process.stderr.write(`parapet eval bots: ${path} has no cases\n`);
    return 2;
  }
  const classify = createUserAgentClassifier(bundledCatalogue());
  const parapet = score(cases, (ua) => classify(ua).isBot);
  const reference = score(cases, (ua) => isbot(ua));
  if (json) {
    process.stdout.write(`${JSON.stringify({ parapet, isbot: reference })}\n`);
  } else {
    process.stdout.write(`${cases.length} cases from ${path}\n${describe("parapet", parapet)}\n${describe("isbot", reference)}\n`);
  }
  return 0;
}
