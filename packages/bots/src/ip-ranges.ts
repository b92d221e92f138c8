/**
 * Published crawler IP ranges (Google's googlebot.json, Bing's bingbot.json,
 * OpenAI's gptbot.json…), as a dated snapshot. Checking a range costs no DNS
 * round trip, and is the only way to verify operators that publish no PTR
 * names. The snapshot is refreshed by `scripts/refresh-ip-ranges.mjs` on a
 * machine with network access.
 */
import { readFileSync } from "node:fs";
import { type Cidr, cidrContains, optionError, parseCidr, parseIp } from "@parapet/core";

export interface IpRangeSnapshot {
  /** When the lists were fetched (ISO date), or undefined when the snapshot is empty. */
  readonly fetchedAt?: string;
  readonly lists: Readonly<Record<string, readonly Cidr[]>>;
}

export function parseIpRangeSnapshot(input: unknown): IpRangeSnapshot {
  const root = (input ?? {}) as { fetchedAt?: unknown; lists?: unknown };
  if (typeof root !== "object" || (root.lists !== undefined && (typeof root.lists !== "object" || root.lists === null))) {
    throw optionError(
      "ip ranges",
      'expected { fetchedAt, lists: { name: ["cidr", …] } }; regenerate it with scripts/refresh-ip-ranges.mjs',
    );
  }
  const lists: Record<string, Cidr[]> = {};
  for (const [name, entries] of Object.entries((root.lists ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(entries)) throw optionError("ip ranges", `list "${name}" must be an array of CIDR strings`);
    lists[name] = entries.map((entry) => {
      const cidr = typeof entry === "string" ? parseCidr(entry) : undefined;
      if (!cidr) throw optionError("ip ranges", `list "${name}" has an invalid CIDR ${JSON.stringify(entry)}`);
      return cidr;
    });
  }
  return { ...(typeof root.fetchedAt === "string" ? { fetchedAt: root.fetchedAt } : {}), lists };
}

let bundled: IpRangeSnapshot | undefined;

/** The snapshot shipped in `data/ip-ranges.json`. */
export function bundledIpRanges(): IpRangeSnapshot {
  bundled ??= parseIpRangeSnapshot(JSON.parse(readFileSync(new URL("../../data/ip-ranges.json", import.meta.url), "utf8")));
  return bundled;
}

/** undefined when the snapshot has no list of that name (so it cannot say yes or no). */
export function inPublishedRanges(snapshot: IpRangeSnapshot, list: string, ip: string): boolean | undefined {
  const ranges = snapshot.lists[list];
  if (!ranges || ranges.length === 0) return undefined;
  const parsed = parseIp(ip);
  return parsed !== undefined && ranges.some((range) => cidrContains(range, parsed));
}
