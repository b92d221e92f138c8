/**
 * Downloads the crawler IP range files their operators publish and turns them
 * into the snapshot `data/ip-ranges.json`. All of them share Google's shape,
 * `{ creationTime, prefixes: [{ ipv4Prefix } | { ipv6Prefix }] }`. The refresh
 * is all or nothing: one unreachable or malformed list and nothing is
 * written, so a bad network day never leaves a half-empty snapshot that would
 * turn real crawlers into "spoofed" ones.
 */
import { randomBytes } from "node:crypto";
import { rename, unlink, writeFile } from "node:fs/promises";
import { parseIpRangeSnapshot, parsePublishedPrefix } from "./ip-ranges.js";

/** Snapshot list name (a verifier's `ipRanges` in data/bots.json) -> the operator's official URL. */
export const OFFICIAL_RANGE_SOURCES: Readonly<Record<string, string>> = {
  google: "https://developers.google.com/static/search/apis/ipranges/googlebot.json",
  bing: "https://www.bing.com/toolbox/bingbot.json",
  apple: "https://search.developer.apple.com/applebot.json",
  "openai-gptbot": "https://openai.com/gptbot.json",
  "openai-searchbot": "https://openai.com/searchbot.json",
  "openai-chatgpt-user": "https://openai.com/chatgpt-user.json",
};

export const DEFAULT_REFRESH_TIMEOUT_MS = 10_000;

/** A range file is a few kB; anything far bigger is not one, and is not read into memory. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface RefreshOptions {
  readonly sources?: Readonly<Record<string, string>>;
  /** Fetch every file from this base instead (`<base>/<file name>`): a mirror, or a local server in tests. */
  readonly baseUrl?: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Per file, in ms. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

export interface SnapshotList {
  readonly source: string;
  readonly creationTime?: string;
  readonly snapshot: string;
  readonly prefixes: readonly string[];
}

export interface SnapshotFile {
  readonly $comment: string;
  readonly lists: Readonly<Record<string, SnapshotList>>;
}

/** A refresh that could not finish; the message says which list and what to do. */
export class RangeRefreshError extends Error {
  override readonly name = "RangeRefreshError";
}

export function resolveSourceUrl(official: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return official;
  const file = new URL(official).pathname.split("/").pop() ?? "";
  return `${baseUrl.replace(/(?<!\/)\/+$/, "")}/${file}`;
}

/** Validates one operator file; throws a RangeRefreshError naming the list and the problem. */
export function parseOperatorRangeFile(body: unknown, list: string): { creationTime?: string; prefixes: string[] } {
  const root = body as { creationTime?: unknown; prefixes?: unknown } | null;
  if (typeof root !== "object" || root === null || !Array.isArray(root.prefixes) || root.prefixes.length === 0) {
    throw new RangeRefreshError(
      `${list}: expected { creationTime, prefixes: [{ ipv4Prefix } | { ipv6Prefix }, …] } with at least one prefix`,
    );
  }
  if (root.creationTime !== undefined && typeof root.creationTime !== "string") {
    throw new RangeRefreshError(`${list}: creationTime must be a string`);
  }
  const prefixes = root.prefixes.map((item: unknown, index: number) => {
    const { ipv4Prefix, ipv6Prefix } = (item ?? {}) as { ipv4Prefix?: unknown; ipv6Prefix?: unknown };
    const text = ipv4Prefix ?? ipv6Prefix;
    if (typeof text !== "string") throw new RangeRefreshError(`${list}: prefixes[${index}] has neither ipv4Prefix nor ipv6Prefix`);
    try {
      const cidr = parsePublishedPrefix(text, list);
      // An IPv6 range under ipv4Prefix (or the reverse) means the file is not what it claims to be.
      if ((ipv4Prefix !== undefined) !== (cidr.network.version === 4)) throw new Error(`${JSON.stringify(text)} is under the wrong key`);
    } catch (error) {
      throw new RangeRefreshError(`${list}: prefixes[${index}]: ${(error as Error).message}`);
    }
    return text;
  });
  return { ...(typeof root.creationTime === "string" ? { creationTime: root.creationTime } : {}), prefixes };
}

async function fetchList(list: string, url: string, options: RefreshOptions): Promise<{ creationTime?: string; prefixes: string[] }> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
  let text: string;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    if (!response.ok) throw new RangeRefreshError(`${list}: ${url} answered HTTP ${response.status}`);
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > MAX_RESPONSE_BYTES) throw new RangeRefreshError(`${list}: ${url} sent ${declared} bytes, more than a range file can be`);
    const body = await readAtMost(response, MAX_RESPONSE_BYTES);
    if (body === undefined)
      throw new RangeRefreshError(`${list}: ${url} sent more than ${MAX_RESPONSE_BYTES} bytes, more than a range file can be (a few kB)`);
    text = body;
  } catch (error) {
    if (error instanceof RangeRefreshError) throw error;
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
    throw new RangeRefreshError(`${list}: could not fetch ${url} (${reason})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RangeRefreshError(`${list}: ${url} did not return JSON (a captive portal or an error page?)`);
  }
  return parseOperatorRangeFile(body, list);
}

/**
 * The body as text, or undefined once it passes `limit` bytes (the download is then cancelled). Content-Length
 * alone is not enough: a chunked response declares none, and `response.text()` would hold all of it in memory.
 */
async function readAtMost(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** Fetches and validates every list; throws a RangeRefreshError on the first failure. */
export async function fetchRangeSnapshot(options: RefreshOptions = {}): Promise<SnapshotFile> {
  const sources = options.sources ?? OFFICIAL_RANGE_SOURCES;
  const fetchedAt = (options.now?.() ?? new Date()).toISOString();
  const entries = await Promise.all(
    Object.entries(sources).map(async ([list, official]) => {
      const url = resolveSourceUrl(official, options.baseUrl);
      const { creationTime, prefixes } = await fetchList(list, url, options);
      const entry: SnapshotList = {
        source: official,
        ...(creationTime !== undefined ? { creationTime } : {}),
        snapshot: `fetched ${fetchedAt} from ${url}`,
        prefixes,
      };
      return [list, entry] as const;
    }),
  );
  const snapshot: SnapshotFile = {
    $comment:
      "Crawler IP ranges published by their operators, one list per verifier (data/bots.json `verifiers.*.ipRanges`). Written by `parapet bots refresh-ranges`; `creationTime` is the operator's own stamp. Prefixes are kept exactly as published.",
    lists: Object.fromEntries(entries),
  };
  // The file is read back by the same parser at startup: check now, not when a server boots.
  parseIpRangeSnapshot(snapshot);
  return snapshot;
}

/** Writes next to the target then renames: readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, text, { flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
