/**
 * A set of CIDR ranges answering "is this IP inside any of them?" in
 * O(log n). Google alone publishes ~300 prefixes; a linear scan of every
 * range per request would cost more than the rest of the bot rule. Ranges are
 * turned into sorted, merged [first, last] address intervals once, then each
 * lookup is one binary search comparing address bytes (IPv4 and IPv6 alike).
 */
import type { Cidr, ParsedIp } from "@parapet/core";

export interface IpRangeSet {
  /** How many ranges were given (before merging). */
  readonly size: number;
  contains(ip: ParsedIp): boolean;
}

interface Intervals {
  readonly first: Uint8Array[];
  readonly last: Uint8Array[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The last address of a range: the network with every host bit set. */
function lastAddress(cidr: Cidr): Uint8Array {
  const bytes = Uint8Array.from(cidr.network.bytes);
  for (let bit = cidr.prefixLength; bit < bytes.length * 8; bit++) bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  return bytes;
}

/** The address just after `bytes`, or undefined at the very end of the address space. */
function successor(bytes: Uint8Array): Uint8Array | undefined {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] !== 0xff) {
      next[i] = (next[i] as number) + 1;
      return next;
    }
    next[i] = 0;
  }
  return undefined;
}

function buildIntervals(ranges: readonly Cidr[]): Intervals {
  const sorted = ranges
    .map((cidr) => ({ first: Uint8Array.from(cidr.network.bytes), last: lastAddress(cidr) }))
    .sort((a, b) => compareBytes(a.first, b.first));
  const first: Uint8Array[] = [];
  const last: Uint8Array[] = [];
  for (const range of sorted) {
    const previous = last[last.length - 1];
    const adjacent = previous && successor(previous);
    // Overlapping or touching ranges merge, so the search never has to look at two candidates.
    if (previous && (adjacent === undefined || compareBytes(range.first, adjacent) <= 0)) {
      if (compareBytes(range.last, previous) > 0) last[last.length - 1] = range.last;
    } else {
      first.push(range.first);
      last.push(range.last);
    }
  }
  return { first, last };
}

function intervalsContain(intervals: Intervals, bytes: Uint8Array): boolean {
  // Finds the last interval starting at or before the address, then checks that it reaches it.
  let low = 0;
  let high = intervals.first.length - 1;
  let candidate = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (compareBytes(intervals.first[middle] as Uint8Array, bytes) <= 0) {
      candidate = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return candidate !== -1 && compareBytes(bytes, intervals.last[candidate] as Uint8Array) <= 0;
}

export function createIpRangeSet(ranges: readonly Cidr[]): IpRangeSet {
  const v4 = buildIntervals(ranges.filter((cidr) => cidr.network.version === 4));
  const v6 = buildIntervals(ranges.filter((cidr) => cidr.network.version === 6));
  return {
    size: ranges.length,
    contains(ip) {
      return intervalsContain(ip.version === 4 ? v4 : v6, ip.bytes);
    },
  };
}
