import cliProgress from "cli-progress";
import type { AuditReport } from "./audit.js";
import { audit } from "./audit.js";
import { type CliOptions, type Format, readCommandLine, USAGE } from "./cli-args.js";
import { readConfig } from "./config.js";
import { coverageFailure } from "./coverage.js";
import { type Severity, severityRank } from "./model.js";
import { toFailureJson, toJson } from "./report/json.js";
import { toFailureSarif, toSarif } from "./report/sarif.js";
import { toTerminal } from "./report/terminal.js";
import { isRunFailure, openFileSink, type ReportSink, stdoutSink } from "./report-sink.js";
import { failureOf, type RunFailure } from "./run-failure.js";
import { createTarballCache, defaultCacheDir } from "./tarball/cache.js";

/**
 * `parapet audit`: returns the exit code, and never throws for user errors. Exit codes are what CI gates on, so each
 * means one thing: 0 checked, nothing at or above the gate; 1 findings at or above it; 2 the run could not do its job
 * (usage, input, a registry or cache that left packages unchecked, a report that could not be written).
 */
export async function run(argv: readonly string[]): Promise<number> {
  const request = readCommandLine(argv);
  if (request.kind === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (request.kind === "usage-error") {
    const sink = request.output === undefined ? stdoutSink : openFileSink(request.output);
    return fail(request.format, request.failure, isRunFailure(sink) ? undefined : sink);
  }
  const options = request.options;
  const sink = options.output === undefined ? stdoutSink : openFileSink(options.output);
  if (isRunFailure(sink)) return fail(undefined, sink);
  const outcome = await auditWithProgress(options, sink);
  if ("failure" in outcome) return fail(options.format, outcome.failure, sink);
  return gate(options, outcome.report, outcome.threshold, sink);
}

/**
 * The exit code for a finished run, with its report written. Findings at the gate come first: they fail the run
 * whatever else happened. Then packages the run could not check (coverage.ts), then a report that could not be written.
 */
function gate(options: CliOptions, report: AuditReport, threshold: Severity, sink: ReportSink): number {
  const failing = report.findings.some((f) => severityRank(f.severity) >= severityRank(threshold));
  const unchecked = failing ? undefined : coverageFailure(report, { offline: options.offline, env: process.env });
  if (unchecked) {
    if (options.format === "terminal") {
      const lost = sink.write(reportText(options.format, report, threshold, sink));
      if (lost) return fail(undefined, lost);
    }
    return fail(options.format, unchecked, sink, report);
  }
  const lost = sink.write(reportText(options.format, report, threshold, sink));
  if (lost) return fail(undefined, lost);
  return failing ? 1 : 0;
}

/**
 * A run that cannot do its job exits 2 with the message on stderr, and still writes the document
 * asked for: CI uploads `--sarif > audit.sarif` with `if: always()`, and an empty file failed that
 * step with "invalid SARIF", hiding the real error. `report` is what was found before the failure.
 * Without a sink (the output file is the problem) only stderr says it.
 */
function fail(format: Format | undefined, failure: RunFailure, sink?: ReportSink, report?: AuditReport): number {
  let document: string | undefined;
  if (format === "json") document = report ? toJson(report, failure) : toFailureJson(failure);
  else if (format === "sarif") document = report ? toSarif(report, { failure: failure.message }) : toFailureSarif(failure.message);
  const lost = document === undefined ? undefined : sink?.write(document);
  process.stderr.write(`parapet audit: ${failure.message}\n`);
  if (lost) process.stderr.write(`parapet audit: ${lost.message}\n`);
  return 2;
}

/** Colour on a terminal only, and not when NO_COLOR is set to anything (https://no-color.org). */
function wantsColor(sink: ReportSink): boolean {
  return sink.isTerminal && !process.env.NO_COLOR;
}

function reportText(format: Format, report: AuditReport, failOn: Severity, sink: ReportSink): string {
  if (format === "json") return toJson(report);
  if (format === "sarif") return toSarif(report);
  return toTerminal(report, { color: wantsColor(sink), failOn });
}

type Outcome = { readonly report: AuditReport; readonly threshold: Severity } | { readonly failure: RunFailure };

/** Runs the audit with a progress bar on a terminal, and a document written even if a signal ends it. */
async function auditWithProgress(options: CliOptions, sink: ReportSink): Promise<Outcome> {
  const progress = createProgress(options.format);
  const stopOnSignal = exitOnSignal((signal) => {
    progress?.stop();
    fail(
      options.format,
      {
        code: "PARAPET_E_AUDIT_INTERRUPTED",
        message: `interrupted (${signal}) before the audit finished, so nothing is reported. Run it again to the end.`,
      },
      sink,
    );
  });
  try {
    return await auditProject(options, progress);
  } catch (error) {
    const failure = failureOf(error);
    if (failure.code === "PARAPET_E_AUDIT_INTERNAL" && process.env.PARAPET_DEBUG) console.error(error);
    return { failure };
  } finally {
    stopOnSignal();
    progress?.stop();
  }
}

/** A bar on stderr when a person watches it, under the terminal report only. */
function createProgress(format: Format): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY || format !== "terminal") return undefined;
  return new cliProgress.SingleBar(
    { format: "fetching tarballs and metadata [{bar}] {value}/{total}", clearOnComplete: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
}

/** The config with the command line's overrides, then the audit itself. Throws for unusable input. */
async function auditProject(options: CliOptions, progress: cliProgress.SingleBar | undefined): Promise<Outcome> {
  const fileConfig = readConfig(options.dir, options.configPath);
  const config = options.minAge === undefined ? fileConfig : { ...fileConfig, minReleaseAgeDays: options.minAge };
  const threshold = options.failOn ?? config.failOn;
  let shownTotal = -1;
  const report = await audit({
    dir: options.dir,
    config,
    cache: createTarballCache(options.cacheDir ?? defaultCacheDir()),
    concurrency: options.concurrency,
    ...(options.offline ? { offline: true } : {}),
    ...(options.tarballs ? {} : { tarballs: false }),
    ...(options.metadata ? {} : { metadata: false }),
    ...(options.osvPath !== undefined ? { osvPath: options.osvPath } : {}),
    ...(options.registry !== undefined ? { registry: options.registry } : {}),
    onProgress: (done, total) => {
      if (!progress) return;
      // Two phases (tarballs, then packuments) report their own totals.
      if (shownTotal === -1) progress.start(total, 0);
      else if (total !== shownTotal) progress.setTotal(total);
      shownTotal = total;
      progress.update(done);
    },
  });
  return { report, threshold };
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
