/**
 * Published crawler IP ranges (Google's googlebot.json, Bing's bingbot.json,
 * OpenAI's gptbot.json…), as a dated snapshot in `data/ip-ranges.json`.
 * Checking a range costs no DNS round trip, and is the only way to verify
 * operators that publish no PTR names. `parapet bots refresh-ranges` rewrites
 * the snapshot from the official URLs on a machine with network access.
 */
import { readFileSync } from "node:fs";
import { type Cidr, optionError, parseCidr, parseIp } from "@parapet/core";
import { createIpRangeSet, type IpRangeSet } from "./ip-range-set.js";

export interface PublishedRangeList {
  /** The operator's URL the list comes from. */
  readonly source?: string;
  /** The `creationTime` stamped inside the operator's file, when it has one. */
  readonly creationTime?: string;
  /** Where and when this copy was taken. */
  readonly snapshot?: string;
  readonly ranges: IpRangeSet;
}

export interface IpRangeSnapshot {
  readonly lists: Readonly<Record<string, PublishedRangeList>>;
}

/**
 * The broadest prefix accepted from a list. Operators publish /17 to /32 (IPv4) and /44 to /64 (IPv6); a /0
 * or a /4 is a broken or hostile file, and would "verify" every spoofed crawler on the Internet.
 */
export const BROADEST_PREFIX = { 4: 8, 6: 24 } as const;

const WHERE = "ip ranges";
const SHAPE = '{ lists: { name: { source, creationTime, snapshot, prefixes: ["cidr", …] } } }';

/** Parses one CIDR of a published list; throws an error naming the list and the bad entry. */
export function parsePublishedPrefix(entry: unknown, list: string): Cidr {
  const cidr = typeof entry === "string" ? parseCidr(entry) : undefined;
  if (!cidr) throw optionError(WHERE, `list "${list}" has an invalid CIDR ${JSON.stringify(entry)}`);
  if (cidr.prefixLength < BROADEST_PREFIX[cidr.network.version]) {
    throw optionError(
      WHERE,
      `list "${list}" has ${JSON.stringify(entry)}, broader than /${BROADEST_PREFIX[cidr.network.version]}; refusing it`,
    );
  }
  return cidr;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw optionError(WHERE, `\`${field}\` must be a string`);
  return value;
}

function parseList(name: string, raw: unknown): PublishedRangeList {
  // A bare array is accepted too, so tests and hand-made snapshots can stay short.
  const entry = (Array.isArray(raw) ? { prefixes: raw } : raw) as Record<string, unknown> | null;
  if (typeof entry !== "object" || entry === null || !Array.isArray(entry.prefixes)) {
    throw optionError(
      WHERE,
      `list "${name}" must be { source, creationTime, snapshot, prefixes: ["cidr", …] } or an array of CIDR strings`,
    );
  }
  const source = optionalString(entry.source, `lists.${name}.source`);
  const creationTime = optionalString(entry.creationTime, `lists.${name}.creationTime`);
  const snapshot = optionalString(entry.snapshot, `lists.${name}.snapshot`);
  return {
    ...(source !== undefined ? { source } : {}),
    ...(creationTime !== undefined ? { creationTime } : {}),
    ...(snapshot !== undefined ? { snapshot } : {}),
    ranges: createIpRangeSet(entry.prefixes.map((prefix) => parsePublishedPrefix(prefix, name))),
  };
}

/** Validates a parsed snapshot; throws a `PARAPET_E_INVALID_OPTION` error naming the bad list. */
export function parseIpRangeSnapshot(input: unknown): IpRangeSnapshot {
  const root = input as { lists?: unknown } | null;
  if (typeof root !== "object" || root === null || (root.lists !== undefined && (typeof root.lists !== "object" || root.lists === null))) {
    throw optionError(WHERE, `expected ${SHAPE}; regenerate it with \`parapet bots refresh-ranges\``);
  }
  const lists: Record<string, PublishedRangeList> = {};
  for (const [name, raw] of Object.entries((root.lists ?? {}) as Record<string, unknown>)) lists[name] = parseList(name, raw);
  return { lists };
}

let bundled: IpRangeSnapshot | undefined;

/** The snapshot shipped in `data/ip-ranges.json`, read once. */
export function bundledIpRanges(): IpRangeSnapshot {
  bundled ??= parseIpRangeSnapshot(JSON.parse(readFileSync(new URL("../../data/ip-ranges.json", import.meta.url), "utf8")));
  return bundled;
}

/** undefined when the snapshot has no list of that name (so it cannot say yes or no). */
export function inPublishedRanges(snapshot: IpRangeSnapshot, list: string, ip: string): boolean | undefined {
  const published = snapshot.lists[list];
  if (!published || published.ranges.size === 0) return undefined;
  const parsed = parseIp(ip);
  return parsed !== undefined && published.ranges.contains(parsed);
}
