/**
 * `parapet bots refresh-ranges [--out file] [--base-url url] [--timeout ms]`:
 * rewrites the crawler IP range snapshot from the operators' official files.
 * Without network it says so and exits 1, leaving the old snapshot in place.
 */
import { fileURLToPath } from "node:url";
import {
  DEFAULT_REFRESH_TIMEOUT_MS,
  fetchRangeSnapshot,
  RangeRefreshError,
  type RefreshOptions,
  writeFileAtomic,
} from "./refresh-ranges.js";

const USAGE =
  "usage: parapet bots refresh-ranges [--out file] [--base-url url] [--timeout ms]\n" +
  "  --out       where to write the snapshot (default: the package's data/ip-ranges.json)\n" +
  "  --base-url  fetch every file from this mirror instead of the operators' own URLs\n" +
  `  --timeout   per file, in ms (default ${DEFAULT_REFRESH_TIMEOUT_MS})\n`;

const VALUE_OPTIONS = new Set(["--out", "--base-url", "--timeout"]);

export const DEFAULT_SNAPSHOT_PATH = fileURLToPath(new URL("../../data/ip-ranges.json", import.meta.url));

export interface RefreshCliDependencies {
  readonly fetch?: typeof globalThis.fetch;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

export async function run(argv: readonly string[], dependencies: RefreshCliDependencies = {}): Promise<number> {
  const stdout = dependencies.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = dependencies.stderr ?? ((text: string) => process.stderr.write(text));
  if (argv.includes("--help") || argv.includes("-h")) {
    stdout(USAGE);
    return 0;
  }
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i] as string;
    const value = argv[i + 1];
    if (!VALUE_OPTIONS.has(option) || value === undefined || value.startsWith("--")) {
      stderr(
        `parapet bots refresh-ranges: ${VALUE_OPTIONS.has(option) ? `${option} needs a value` : `unknown argument ${option}`}\n${USAGE}`,
      );
      return 2;
    }
    values.set(option, value);
    i++;
  }
  const timeoutMs = Number(values.get("--timeout") ?? DEFAULT_REFRESH_TIMEOUT_MS);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    stderr(`parapet bots refresh-ranges: --timeout must be a positive number of milliseconds\n`);
    return 2;
  }
  const out = values.get("--out") ?? DEFAULT_SNAPSHOT_PATH;
  const baseUrl = values.get("--base-url");
  const options: RefreshOptions = {
    timeoutMs,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
  };
  try {
    const snapshot = await fetchRangeSnapshot(options);
    await writeFileAtomic(out, `${JSON.stringify(snapshot, null, 1)}\n`);
    const counts = Object.entries(snapshot.lists).map(([name, list]) => `${name} ${list.prefixes.length}`);
    stdout(`wrote ${out}: ${counts.join(", ")} prefixes\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint =
      error instanceof RangeRefreshError
        ? "Nothing was written; the current snapshot is unchanged. Check the network (or pass --base-url to a mirror) and run it again."
        : `Could not write ${out}; nothing was changed.`;
    stderr(`parapet bots refresh-ranges: ${message}\n${hint}\n`);
    return 1;
  }
}
