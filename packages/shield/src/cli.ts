/**
 * `parapet eval shield <corpus.jsonl> [--json] [--sensitivity low|medium|high] [--misses N]`:
 * scores the shield on a labeled corpus (format: the shield corpus README).
 */
import { existsSync, statSync } from "node:fs";
import { evaluateCorpus } from "./eval/evaluate.js";
import { formatTable, toJson } from "./eval/report.js";
import { SENSITIVITY_THRESHOLDS, type Sensitivity } from "./options.js";

const USAGE = `usage: parapet eval shield <corpus.jsonl> [--json] [--sensitivity low|medium|high] [--misses N]

  --json           print one JSON object on stdout instead of the table
  --sensitivity    the shield's sensitivity (default medium)
  --misses N       also list up to N missed attacks and N false positives on stderr
`;

export async function run(argv: readonly string[]): Promise<number> {
  let file: string | undefined;
  let json = false;
  let sensitivity: Sensitivity = "medium";
  let misses = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === "--json") json = true;
    else if (arg === "--sensitivity") {
      const value = argv[++i];
      if (value === undefined || !Object.hasOwn(SENSITIVITY_THRESHOLDS, value))
        return fail('--sensitivity takes "low", "medium" or "high"');
      sensitivity = value as Sensitivity;
    } else if (arg === "--misses") {
      misses = Number(argv[++i]);
      if (!Number.isInteger(misses) || misses < 0) return fail("--misses takes a non-negative whole number");
    } else if (arg.startsWith("-")) return fail(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else return fail(`one corpus at a time (got "${file}" and "${arg}")`);
  }
  if (file === undefined) return fail("give the corpus file, e.g. parapet eval shield ../shared/corpora/shield/dev.jsonl");
  if (!existsSync(file) || !statSync(file).isFile()) return fail(`no such corpus file: ${file}`);
  const result = await evaluateCorpus(file, sensitivity, (line, error) => {
    process.stderr.write(`${file}:${line}: skipped: ${error}\n`);
  });
  if (misses > 0) {
    for (const miss of result.misses.slice(0, misses)) process.stderr.write(`miss ${miss}\n`);
    for (const fp of result.falsePositives.slice(0, misses)) process.stderr.write(`false positive ${fp}\n`);
  }
  process.stdout.write(json ? `${JSON.stringify(toJson(result))}\n` : formatTable(result));
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`parapet eval shield: ${message}\n\n${USAGE}`);
  return 2;
}
