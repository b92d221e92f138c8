import { resolve } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { audit } from "./audit.js";
import { readConfig } from "./config.js";
import { AuditError } from "./errors.js";
import { isSeverity, type Severity, severityRank } from "./model.js";
import { toJson } from "./report/json.js";
import { toSarif } from "./report/sarif.js";
import { toTerminal } from "./report/terminal.js";
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

exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or input error, or no tarball could be read
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

/** `parapet audit`: returns the exit code; never throws for user errors. */
export async function run(argv: readonly string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
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
      },
    }));
  } catch (error) {
    process.stderr.write(`parapet audit: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const usageError = (message: string) => {
    process.stderr.write(`parapet audit: ${message}\n`);
    return 2;
  };
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
  if (values.json && values.sarif) return usageError("choose one of --json and --sarif");
  if (typeof values.registry === "string" && !/^https?:\/\//.test(values.registry)) return usageError("--registry must be an http(s) URL");

  const dir = resolve(positionals[0] ?? ".");
  const progress =
    process.stderr.isTTY && !values.json && !values.sarif
      ? new cliProgress.SingleBar(
          { format: "fetching tarballs and metadata [{bar}] {value}/{total}", clearOnComplete: true, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  try {
    const fileConfig = readConfig(dir, typeof values.config === "string" ? resolve(values.config) : undefined);
    const config = minAge === undefined ? fileConfig : { ...fileConfig, minReleaseAgeDays: minAge };
    let shownTotal = -1;
    const report = await audit({
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
    progress?.stop();
    const threshold: Severity = typeof failOn === "string" && isSeverity(failOn) ? failOn : config.failOn;
    if (values.json) process.stdout.write(toJson(report));
    else if (values.sarif) process.stdout.write(toSarif(report));
    else process.stdout.write(toTerminal(report, { color: wantsColor(), failOn: threshold }));
    if (report.findings.some((f) => severityRank(f.severity) >= severityRank(threshold))) return 1;
    // Each unreadable tarball is a medium finding, under the default gate (high). When not one could be read (the
    // registry down, a proxy refusing every request) nothing was checked at all, and a gate that passes then would
    // tell CI the dependencies are clean: exit 2, as for any run that could not do its job.
    const tarballs = report.tarballs;
    if (!values.offline && tarballs !== undefined && tarballs.attempted > 0 && tarballs.analyzed === 0) {
      process.stderr.write(
        `parapet audit: none of the ${tarballs.attempted} tarballs could be fetched, so no package's code was checked. ` +
          "Check that the registry answers (--registry, .npmrc, a proxy), then run again; --no-tarballs skips this check on purpose.\n",
      );
      return 2;
    }
    return 0;
  } catch (error) {
    progress?.stop();
    return reportFailure(error);
  }
}

/**
 * Exit 1 means "findings at or above --fail-on", and CI gates on it, so a run that could
 * not finish must never exit 1: input errors and bugs alike exit 2, with a message.
 */
function reportFailure(error: unknown): number {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  let message: string;
  if (error instanceof AuditError) message = error.message;
  else if (typeof errno === "string" && /^E[A-Z]+$/.test(errno) && error instanceof Error)
    message = `${error.message}. Check that the path exists, is the right kind of file, and is readable.`;
  else {
    message = `unexpected error: ${error instanceof Error ? error.message : String(error)}. This is a bug in parapet audit; please report it with the command you ran (PARAPET_DEBUG=1 prints the stack trace).`;
    if (process.env.PARAPET_DEBUG) console.error(error);
  }
  process.stderr.write(`parapet audit: ${message}\n`);
  return 2;
}
