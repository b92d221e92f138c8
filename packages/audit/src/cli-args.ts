import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isSeverity, type Severity } from "./model.js";
import type { RunFailure } from "./run-failure.js";

export const USAGE = `usage: parapet audit [dir] [options]

Checks a project's lockfile for typosquats, dependency confusion, lockfile
tampering, install scripts, malicious code in tarballs and known malware.

options:
  --json                 print the report as JSON
  --sarif                print SARIF 2.1.0 (for GitHub code scanning)
  --output <file>        write the report to <file> instead of stdout (exit 2 when it cannot be written)
  --fail-on <severity>   exit 1 when a finding is at or above it (default: config "failOn", else high)
  --offline              use only the tarball cache; never touch the network
  --no-tarballs          skip fetching and analyzing tarballs
  --no-metadata          skip registry metadata (release age, deprecation, publisher change)
  --min-age <days>       minimum release age in days (default: config "minReleaseAgeDays", else 2; 0 disables)
  --osv <path>           OSV records: a JSON file, a folder, or the npm all.zip export
  --config <file>        config file (default: <dir>/.parapet-audit.json)
  --cache-dir <dir>      tarball cache (default: $PARAPET_CACHE_DIR or ~/.cache/parapet/tarballs)
  --registry <url>       registry to fetch from (default: npm's configured registry)
  --concurrency <n>      parallel downloads (default 8)
  -h, --help             show this help

exit codes: 0 every package checked, none at or above --fail-on; 1 findings at or above --fail-on;
2 the run could not do its job: usage or input error, a package whose tarball could not be read
(fetched, or in the cache with --offline) unless ignored in the config, a registry that answered for
no package, a report that could not be written; 130 or 143 interrupted (SIGINT, SIGTERM)
(on exit 2, --json prints {"error": {code, message}} and --sarif a log marked executionSuccessful: false)
`;

export type Format = "terminal" | "json" | "sarif";

/** A command line read and checked: everything the run needs, resolved against the working directory. */
export interface CliOptions {
  readonly dir: string;
  readonly format: Format;
  /** --fail-on; undefined means the config's. */
  readonly failOn?: Severity;
  readonly concurrency: number;
  /** --min-age; undefined means the config's. */
  readonly minAge?: number;
  readonly offline: boolean;
  readonly tarballs: boolean;
  readonly metadata: boolean;
  readonly osvPath?: string;
  readonly configPath?: string;
  readonly cacheDir?: string;
  /** With a trailing slash. */
  readonly registry?: string;
  readonly output?: string;
}

/** What the command line asks for: help, a run, or nothing it can do (with the format the failure is written in). */
export type CliRequest =
  | { readonly kind: "help" }
  | { readonly kind: "run"; readonly options: CliOptions }
  | { readonly kind: "usage-error"; readonly failure: RunFailure; readonly format: Format | undefined; readonly output?: string };

const OPTIONS = {
  json: { type: "boolean" },
  sarif: { type: "boolean" },
  output: { type: "string" },
  "fail-on": { type: "string" },
  offline: { type: "boolean" },
  "no-tarballs": { type: "boolean" },
  "no-metadata": { type: "boolean" },
  "min-age": { type: "string" },
  osv: { type: "string" },
  config: { type: "string" },
  "cache-dir": { type: "string" },
  registry: { type: "string" },
  concurrency: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * A plain decimal number ("2", "0.5"), else undefined. Number() reads "" and " " as 0,
 * which would turn `--min-age ""` (an unset CI variable) into "check nothing".
 */
function decimal(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Both --json and --sarif is a usage error: neither document is written, since either could be the wrong one. */
function formatOf(json: unknown, sarif: unknown): Format | undefined {
  if (json && sarif) return undefined;
  return json ? "json" : sarif ? "sarif" : "terminal";
}

/** parseArgs' own message for an unknown option talks about positionals after `--`; name the option and the help instead. */
function argumentProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const option = /'([^']+)'/.exec(message)?.[1];
  const problem =
    (error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option
      ? `unknown option ${option}`
      : message.replace(/\.$/, "");
  return `${problem}. Run \`parapet audit --help\` to see the options.`;
}

type Values = Record<string, string | boolean | undefined>;

/** The first problem with the options' values, in the order a reader meets them; undefined when there is none. */
function valueProblem(values: Values, positionals: readonly string[], format: Format | undefined): string | undefined {
  if (positionals.length > 1) return `expected at most one directory, got ${positionals.length}`;
  const failOn = values["fail-on"];
  if (typeof failOn === "string" && !isSeverity(failOn))
    return `--fail-on must be one of info, low, medium, high, critical (got "${failOn}")`;
  const concurrency = values.concurrency === undefined ? 8 : decimal(String(values.concurrency));
  if (concurrency === undefined || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    return `--concurrency must be an integer from 1 to 64 (got "${values.concurrency}")`;
  const minAge = values["min-age"] === undefined ? undefined : decimal(String(values["min-age"]));
  if (values["min-age"] !== undefined && (minAge === undefined || minAge > 3650))
    return `--min-age must be a number of days from 0 to 3650, such as --min-age 2 (got "${values["min-age"]}"); --min-age 0 turns the release-age check off`;
  if (format === undefined) return "choose one of --json and --sarif";
  if (typeof values.registry === "string" && !/^https?:\/\//.test(values.registry)) return "--registry must be an http(s) URL";
  if (values.output === "") return "--output needs a file name, such as --output audit.sarif";
  return undefined;
}

const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);

/** `{ [key]: value }` when there is a value: with exactOptionalPropertyTypes an option not given is absent, not undefined. */
function given<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The checked values as the run's options; paths resolved against the working directory. */
function optionsOf(values: Values, positionals: readonly string[], format: Format): CliOptions {
  const failOn = text(values["fail-on"]);
  const minAge = text(values["min-age"]);
  const registry = text(values.registry);
  const path = (value: string | boolean | undefined) => (typeof value === "string" ? resolve(value) : undefined);
  return {
    dir: resolve(positionals[0] ?? "."),
    format,
    concurrency: values.concurrency === undefined ? 8 : Number(values.concurrency),
    offline: values.offline === true,
    tarballs: values["no-tarballs"] !== true,
    metadata: values["no-metadata"] !== true,
    ...given("failOn", failOn !== undefined && isSeverity(failOn) ? failOn : undefined),
    ...given("minAge", minAge === undefined ? undefined : decimal(minAge)),
    ...given("osvPath", path(values.osv)),
    ...given("configPath", path(values.config)),
    ...given("cacheDir", path(values["cache-dir"])),
    ...given("registry", registry === undefined ? undefined : registry.endsWith("/") ? registry : `${registry}/`),
    ...given("output", path(values.output)),
  };
}

/** Reads `parapet audit`'s command line. Never throws: a bad command line is a usage error to report. */
export function readCommandLine(argv: readonly string[]): CliRequest {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS }));
  } catch (error) {
    const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
    const failure: RunFailure = { code: "PARAPET_E_AUDIT_USAGE", message: argumentProblem(error) };
    return { kind: "usage-error", failure, format: formatOf(options.includes("--json"), options.includes("--sarif")) };
  }
  if (values.help) return { kind: "help" };
  const format = formatOf(values.json, values.sarif);
  const problem = valueProblem(values, positionals, format);
  if (problem !== undefined || format === undefined) {
    const output = text(values.output) ? resolve(String(values.output)) : undefined;
    const failure: RunFailure = { code: "PARAPET_E_AUDIT_USAGE", message: problem ?? "choose one of --json and --sarif" };
    return { kind: "usage-error", failure, format, ...(output ? { output } : {}) };
  }
  return { kind: "run", options: optionsOf(values, positionals, format) };
}
