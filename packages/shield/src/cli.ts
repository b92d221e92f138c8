/**
 * `parapet eval shield <corpus.jsonl> [--json] [--sensitivity low|medium|high] [--misses N]`:
 * scores the shield on a labeled corpus (format: the shield corpus README).
 */
import { statSync } from "node:fs";
import { CORPUS_FORMAT, CorpusFileError } from "./eval/corpus-file.js";
import { type EvalResult, evaluateCorpus } from "./eval/evaluate.js";
import { formatTable, toJson } from "./eval/report.js";
import { SENSITIVITY_THRESHOLDS, type Sensitivity } from "./options.js";

const USAGE = `usage: parapet eval shield <corpus.jsonl> [--json] [--sensitivity low|medium|high] [--misses N]

  --json           print one JSON object on stdout instead of the table
  --sensitivity    the shield's sensitivity (default medium)
  --misses N       also list up to N missed attacks and N false positives on stderr

${CORPUS_FORMAT}
Invalid lines are skipped and counted; a file with no valid line is an error.

exit codes: 0 scored, 2 usage error or a file that is not a corpus
`;

/** Enough invalid lines to see what is wrong with them; the rest are counted, not listed, so the score stays in view. */
const SHOWN_INVALID_LINES = 10;

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
        return usageError('--sensitivity takes "low", "medium" or "high"');
      sensitivity = value as Sensitivity;
    } else if (arg === "--misses") {
      misses = Number(argv[++i]);
      if (!Number.isInteger(misses) || misses < 0) return usageError("--misses takes a non-negative whole number");
    } else if (arg.startsWith("-")) return usageError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else return usageError(`one corpus at a time (got "${file}" and "${arg}")`);
  }
  if (file === undefined) return usageError("give the corpus file, e.g. parapet eval shield ../shared/corpora/shield/dev.jsonl");
  const corpus = file;
  const notReadable = notAFile(corpus);
  if (notReadable) return fileError(corpus, notReadable);

  const invalid: string[] = [];
  let firstInvalid = "";
  let result: EvalResult;
  try {
    result = await evaluateCorpus(corpus, sensitivity, (line, error) => {
      firstInvalid ||= `line ${line}: ${error}`;
      // Held until the end: a file with no valid line gets one error, not a page of complaints first.
      if (invalid.length < SHOWN_INVALID_LINES) invalid.push(`${corpus}:${line}: skipped: ${error}\n`);
    });
  } catch (error) {
    if (error instanceof CorpusFileError) return fileError(corpus, error.message);
    const errno = (error as NodeJS.ErrnoException).code;
    if (typeof errno !== "string") throw error; // a bug: main reports it as one
    return fileError(corpus, `cannot be read (${errno === "EACCES" ? "permission denied" : (error as Error).message})`);
  }
  const cases = result.benign.total + Object.values(result.classes).reduce((sum, c) => sum + c.total, 0);
  if (cases === 0)
    return fileError(
      corpus,
      result.invalid === 0
        ? "is empty: no cases to score"
        : `none of its ${result.invalid} non-blank lines is a corpus case (${firstInvalid})`,
    );
  for (const message of invalid) process.stderr.write(message);
  if (result.invalid > invalid.length) process.stderr.write(`${corpus}: ${result.invalid - invalid.length} more invalid lines not shown\n`);
  if (misses > 0) {
    for (const miss of result.misses.slice(0, misses)) process.stderr.write(`miss ${miss}\n`);
    for (const fp of result.falsePositives.slice(0, misses)) process.stderr.write(`false positive ${fp}\n`);
  }
  process.stdout.write(json ? `${JSON.stringify(toJson(result))}\n` : formatTable(result));
  return 0;
}

/**
 * Why `file` cannot be opened as a corpus, if it cannot. A pipe is fine (`<(zcat corpus.jsonl.gz)`):
 * the file is read as a stream either way.
 */
function notAFile(file: string): string | undefined {
  try {
    return statSync(file).isDirectory() ? "is a folder, not a corpus file" : undefined;
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    return errno === "ENOENT" ? "no such file" : `cannot be read (${(error as Error).message})`;
  }
}

function usageError(message: string): number {
  process.stderr.write(`parapet eval shield: ${message}. Run \`parapet eval shield --help\` to see the options.\n`);
  return 2;
}

/** One line: what is wrong with the file, then what a corpus looks like. */
function fileError(file: string, problem: string): number {
  process.stderr.write(`parapet eval shield: ${file}: ${problem}. ${CORPUS_FORMAT}\n`);
  return 2;
}
