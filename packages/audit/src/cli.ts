import { resolve } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import type { AuditReport } from "./audit.js";
import { audit } from "./audit.js";
import { readConfig } from "./config.js";
import { isSeverity, type Severity, severityRank } from "./model.js";
import { toFailureJson, toJson } from "./report/json.js";
import { toFailureSarif, toSarif } from "./report/sarif.js";
import { toTerminal } from "./report/terminal.js";
import { failureOf, type RunFailure } from "./run-failure.js";
import { createTarballCache, defaultCacheDir } from "./tarball/cache.js";

const USAGE = `usage: parapet audit [dir] [options]

Checks a project's lockfile for typosquats, dependency confusion, lockfile
tampering, install scripts, malicious code in tarballs and known malware.

options:
  --json                 print the report as JSON
  --sarif                print SARIF 2.1.0 (for GitHub code scanning)
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

exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error, or no tarball could be read,
130 or 143 interrupted (SIGINT, SIGTERM)
(on exit 2, --json prints {"error": {code, message}} and --sarif a log marked executionSuccessful: false)
`;

/**
 * A plain decimal number ("2", "0.5"), else undefined. Number() reads "" and " " as 0,
 * which would turn `--min-age ""` (an unset CI variable) into "check nothing".
 */
function decimal(text: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Colour on a terminal only, and not when NO_COLOR is set to anything (https://no-color.org). */
function wantsColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

type Format = "terminal" | "json" | "sarif";

/** Both --json and --sarif is a usage error: neither document is written, since either could be the wrong one. */
function formatOf(json: unknown, sarif: unknown): Format | undefined {
  if (json && sarif) return undefined;
  return json ? "json" : sarif ? "sarif" : "terminal";
}

/**
 * A run that cannot do its job exits 2 with the message on stderr, and still writes the document
 * asked for: CI uploads `--sarif > audit.sarif` with `if: always()`, and an empty file failed that
 * step with "invalid SARIF", hiding the real error. `report` is what was found before the failure.
 */
function fail(format: Format | undefined, failure: RunFailure, report?: AuditReport): number {
  if (format === "json") process.stdout.write(report ? toJson(report, failure) : toFailureJson(failure));
  else if (format === "sarif")
    process.stdout.write(report ? toSarif(report, { failure: failure.message }) : toFailureSarif(failure.message));
  process.stderr.write(`parapet audit: ${failure.message}\n`);
  return 2;
}

const OPTIONS = {
  json: { type: "boolean" },
  sarif: { type: "boolean" },
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

/** `parapet audit`: returns the exit code; never throws for user errors. */
export async function run(argv: readonly string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS }));
  } catch (error) {
    const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
    return fail(formatOf(options.includes("--json"), options.includes("--sarif")), {
      code: "PARAPET_E_AUDIT_USAGE",
      message: argumentProblem(error),
    });
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = formatOf(values.json, values.sarif);
  const usageError = (message: string) => fail(format, { code: "PARAPET_E_AUDIT_USAGE", message });
  if (positionals.length > 1) return usageError(`expected at most one directory, got ${positionals.length}`);
  const failOn = values["fail-on"];
  if (typeof failOn === "string" && !isSeverity(failOn))
    return usageError(`--fail-on must be one of info, low, medium, high, critical (got "${failOn}")`);
  const concurrency = values.concurrency === undefined ? 8 : decimal(String(values.concurrency));
  if (concurrency === undefined || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    return usageError(`--concurrency must be an integer from 1 to 64 (got "${values.concurrency}")`);
  const minAge = values["min-age"] === undefined ? undefined : decimal(String(values["min-age"]));
  if (values["min-age"] !== undefined && (minAge === undefined || minAge > 3650))
    return usageError(
      `--min-age must be a number of days from 0 to 3650, such as --min-age 2 (got "${values["min-age"]}"); --min-age 0 turns the release-age check off`,
    );
  if (format === undefined) return usageError("choose one of --json and --sarif");
  if (typeof values.registry === "string" && !/^https?:\/\//.test(values.registry)) return usageError("--registry must be an http(s) URL");

  const dir = resolve(positionals[0] ?? ".");
  const progress =
    process.stderr.isTTY && format === "terminal"
      ? new cliProgress.SingleBar(
          { format: "fetching tarballs and metadata [{bar}] {value}/{total}", clearOnComplete: true, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let report: AuditReport;
  let threshold: Severity;
  const stopOnSignal = exitOnSignal((signal) => {
    progress?.stop();
    fail(format, {
      code: "PARAPET_E_AUDIT_INTERRUPTED",
      message: `interrupted (${signal}) before the audit finished, so nothing is reported. Run it again to the end.`,
    });
  });
  try {
    const fileConfig = readConfig(dir, typeof values.config === "string" ? resolve(values.config) : undefined);
    const config = minAge === undefined ? fileConfig : { ...fileConfig, minReleaseAgeDays: minAge };
    threshold = typeof failOn === "string" && isSeverity(failOn) ? failOn : config.failOn;
    let shownTotal = -1;
    report = await audit({
      dir,
      config,
      cache: createTarballCache(typeof values["cache-dir"] === "string" ? resolve(values["cache-dir"]) : defaultCacheDir()),
      concurrency,
      ...(values.offline ? { offline: true } : {}),
      ...(values["no-tarballs"] ? { tarballs: false } : {}),
      ...(values["no-metadata"] ? { metadata: false } : {}),
      ...(typeof values.osv === "string" ? { osvPath: resolve(values.osv) } : {}),
      ...(typeof values.registry === "string" ? { registry: values.registry.endsWith("/") ? values.registry : `${values.registry}/` } : {}),
      onProgress: (done, total) => {
        if (!progress) return;
        // Two phases (tarballs, then packuments) report their own totals.
        if (shownTotal === -1) progress.start(total, 0);
        else if (total !== shownTotal) progress.setTotal(total);
        shownTotal = total;
        progress.update(done);
      },
    });
  } catch (error) {
    stopOnSignal();
    progress?.stop();
    const failure = failureOf(error);
    if (failure.code === "PARAPET_E_AUDIT_INTERNAL" && process.env.PARAPET_DEBUG) console.error(error);
    return fail(format, failure);
  }
  stopOnSignal();
  progress?.stop();
  if (report.findings.some((f) => severityRank(f.severity) >= severityRank(threshold))) {
    writeReport(format, report, threshold);
    return 1;
  }
  const unchecked = nothingFetched(report, values.offline === true);
  if (unchecked) {
    if (format === "terminal") writeReport(format, report, threshold);
    return fail(format, unchecked, report);
  }
  writeReport(format, report, threshold);
  return 0;
}

/** The exit codes a shell gives a command a signal ended (128 + the signal's number), so CI logs read the same. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Ctrl-C, or a CI job cancelled or timed out (SIGTERM): Node would end the process with nothing
 * written, and the upload step that runs `if: always()` would fail on an empty SARIF file. `onSignal`
 * writes what it can; the process then exits as a shell reports a signal. Returns the uninstaller.
 */
function exitOnSignal(onSignal: (signal: keyof typeof SIGNAL_EXIT) => void): () => void {
  const handlers = Object.keys(SIGNAL_EXIT).map((name) => {
    const signal = name as keyof typeof SIGNAL_EXIT;
    const handler = () => {
      onSignal(signal);
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const remove of handlers) remove();
  };
}

function writeReport(format: Format, report: AuditReport, failOn: Severity): void {
  if (format === "json") process.stdout.write(toJson(report));
  else if (format === "sarif") process.stdout.write(toSarif(report));
  else process.stdout.write(toTerminal(report, { color: wantsColor(), failOn }));
}

/**
 * Each unreadable tarball is a medium finding, under the default gate (high). When not one could be read (the
 * registry down, a proxy refusing every request) nothing was checked at all, and a gate that passes then would
 * tell CI the dependencies are clean: exit 2, as for any run that could not do its job.
 */
function nothingFetched(report: AuditReport, offline: boolean): RunFailure | undefined {
  const tarballs = report.tarballs;
  if (offline || tarballs === undefined || tarballs.attempted === 0 || tarballs.analyzed > 0) return undefined;
  return {
    code: "PARAPET_E_AUDIT_NO_TARBALLS",
    message:
      `none of the ${tarballs.attempted} tarballs could be fetched, so no package's code was checked. ` +
      "Check that the registry answers (--registry, .npmrc, a proxy), then run again; --no-tarballs skips this check on purpose.",
  };
}
