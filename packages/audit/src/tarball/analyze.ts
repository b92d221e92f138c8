import type { Severity } from "../model.js";
import type { ExtractedTarball, TarballFile } from "./extract.js";
import { conflictingManifests, installHooks, isManifestPath, parseHookKey, readManifest } from "./manifest.js";
import { SIGNAL_RULES, type SignalId, type SignalKind } from "./signals.js";
import { judge } from "./verdict.js";

export interface Signal {
  readonly id: SignalId;
  readonly kind: SignalKind;
  readonly file: string;
  readonly evidence: string;
  /** The file runs at install time (named by an install script, or the script itself). */
  readonly atInstall: boolean;
}

export interface Verdict {
  readonly severity: Severity;
  readonly reasons: readonly string[];
}

export interface TarballAnalysis {
  /** Bump when signals or verdicts change, so cached analyses are recomputed. */
  readonly analyzerVersion: number;
  readonly manifestName?: string;
  readonly manifestVersion?: string;
  readonly installScripts: Readonly<Record<string, string>>;
  readonly signals: readonly Signal[];
  readonly verdict?: Verdict;
  readonly unsafePaths: readonly string[];
  /** Code files too long to read whole: only their head and tail were analyzed. */
  readonly partlyAnalyzed: readonly string[];
  /** The tarball hit the entry or size cap: files after that point were not analyzed at all. */
  readonly truncated: boolean;
}

export const ANALYZER_VERSION = 9;

const CODE_FILE = /\.(c|m)?js$|\.sh$|\.bat$|\.cmd$|\.ps1$|\.py$|(^|\/)[^./]+$/i;

/** Files an install script runs: `node x.js`, `sh setup.sh`, `./bin/thing`. */
function filesRunBy(command: string): string[] {
  const out: string[] = [];
  for (const match of command.matchAll(/(?:^|[\s;&|])(?:(?:node|sh|bash|\.)\s*)?\.?\/?([\w./-]{1,200}\.(?:c?m?js|sh|bat|cmd|ps1))\b/g))
    out.push(match[1]!.replace(/^\.\//, ""));
  return out;
}

/** Words that only code has; a data table (`export const table = ["…", 1, 2]`) has none of them. */
const CODE_WORDS = /\b(?:function|require|import|eval|Function|process|module|try|catch|exports)\b|=>/;

/**
 * True for a long line that is data, not code: generated lookup tables (entities'
 * decode-data-html.js, Unicode tables) are one huge string or array literal. With
 * strings and numbers removed, such a line leaves a handful of words and no code words.
 * The string pattern has no nested quantifier, so this stays linear on hostile input.
 */
export function isDataTable(line: string): boolean {
  const skeleton = line.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`/g, '""').replace(/\b\d[\w.]*/g, "0");
  if (CODE_WORDS.test(skeleton)) return false;
  const words = skeleton.match(/[A-Za-z_$][\w$]*/g) ?? [];
  return words.length <= 16;
}

/**
 * A payload appended to an otherwise ordinary file (event-stream 2018: an encrypted
 * blob glued onto the end of a minified build). Normal files are either all short
 * lines or one long minified line; a long line *after* many short ones is the tell.
 */
function appendedPayload(text: string): string | undefined {
  const lines = text.split("\n");
  if (lines.length < 8) return undefined;
  const shortLines = lines.filter((l) => l.length < 200).length;
  if (shortLines / lines.length < 0.8) return undefined;
  let last = lines.length - 1;
  while (last > 0 && lines[last]!.trim() === "") last--;
  // Only the tail counts: a payload is glued on at the end, where a reviewer stops reading.
  for (let i = Math.max(0, last - 1); i <= last; i++) {
    const line = lines[i]!;
    if (line.length > 2000 && !line.includes("sourceMappingURL=") && !/^\s*(?:\/\/|\/\*|\*)/.test(line) && !isDataTable(line))
      return `line ${i + 1} is ${line.length} characters`;
  }
  return undefined;
}

/** Files the analyzer reads as code; extensionless ones only as scripts (`#!`): a Makefile's `npm publish` is release tooling. */
function isCode(file: TarballFile): boolean {
  return CODE_FILE.test(file.path) && (/\.\w+$/.test(file.path) || file.text.startsWith("#!"));
}

export function analyzeTarball(tarball: ExtractedTarball): TarballAnalysis {
  const manifest = readManifest(tarball.files);
  const installScripts = installHooks(tarball.files, manifest);

  // A bundled package's script runs in its own folder: `node i.js` there is node_modules/x/i.js.
  const installFiles = new Set(
    Object.entries(installScripts).flatMap(([key, command]) => filesRunBy(command).map((f) => parseHookKey(key).folder + f)),
  );
  const signals: Signal[] = [];
  /** Scans each text of a file (head, then tail); a signal the head already showed is not repeated. */
  const scan = (file: string, texts: readonly string[], atInstall: boolean) => {
    const found = new Set<SignalId>();
    for (const text of texts) {
      for (const rule of SIGNAL_RULES) {
        if (found.has(rule.id)) continue;
        const evidence = rule.test(text);
        if (evidence === undefined) continue;
        found.add(rule.id);
        signals.push({ id: rule.id, kind: rule.kind, file, evidence, atInstall });
      }
    }
  };
  for (const [key, command] of Object.entries(installScripts)) {
    const { folder, hook } = parseHookKey(key);
    scan(`${folder}package.json#scripts.${hook}`, [command], true);
  }
  const partlyAnalyzed: string[] = [];
  for (const file of tarball.files) {
    // A manifest read in part is unreadable JSON, so its install scripts went unseen: say so.
    if (file.truncated && isManifestPath(file.path)) partlyAnalyzed.push(file.path);
    if (!isCode(file)) continue;
    const atInstall = installFiles.has(file.path);
    scan(file.path, file.tail === undefined ? [file.text] : [file.text, file.tail], atInstall);
    if (file.truncated) partlyAnalyzed.push(file.path);
    // Only a file's real end can carry an appended payload: the tail when the middle was skipped.
    const appended = appendedPayload(file.tail ?? file.text);
    if (appended) signals.push({ id: "appended-payload", kind: "obfuscation", file: file.path, evidence: appended, atInstall });
  }
  const verdict = judge(signals, tarball.unsafePaths, conflictingManifests(tarball.files));
  return {
    analyzerVersion: ANALYZER_VERSION,
    ...(typeof manifest.name === "string" ? { manifestName: manifest.name } : {}),
    ...(typeof manifest.version === "string" ? { manifestVersion: manifest.version } : {}),
    installScripts,
    signals,
    ...(verdict ? { verdict } : {}),
    unsafePaths: tarball.unsafePaths,
    partlyAnalyzed,
    truncated: tarball.truncated,
  };
}
