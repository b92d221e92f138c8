import type { SqlDriver, SqlStatement, SqlValue } from "./sql/driver.js";

/**
 * parapet_ip_minutes: the minutes in which each IP has decisions, so that
 * `query.decisions({ ip })` reads only those minutes' rows.
 *
 * It replaced the (ip, ts) index on parapet_decisions (migration 3): that
 * index took a B-tree insert at a random place for every decision, which
 * dirtied a page per row and was most of the log worker's cost. This table
 * gets one row per IP and minute, written in the same transaction as the
 * decisions, so it never misses a stored row; and a busy IP is written once
 * a minute, not once a request. Read as a superset: a listed minute whose
 * rows were since deleted only costs the query a look.
 */
export const MINUTE_MS = 60_000;
/** Pairs per INSERT: 2 parameters each, far below both engines' limits. */
const PAIRS_PER_INSERT = 200;
/** Minutes remembered behind the newest one: rows arrive a few seconds late at most, rarely minutes. */
const MINUTES_KEPT = 3;
/** IPs remembered per minute; beyond it a pair is written again (ON CONFLICT keeps one row), so memory stays bounded. */
const MAX_IPS_PER_MINUTE = 100_000;

export const minuteOf = (ts: number): number => Math.floor(ts / MINUTE_MS) * MINUTE_MS;

/**
 * The writer's memory of the pairs already committed. `unseen` lists a
 * batch's new pairs; only after their transaction commits does `remember`
 * record them, so a batch that fails and is retried writes them again.
 */
export class IpMinuteTracker {
  readonly #committed = new Map<number, Set<string>>();
  #newest = Number.NEGATIVE_INFINITY;

  /** Collects a batch's (minute, ip) pairs that are not yet known to be stored, each once. */
  unseen(): UnseenPairs {
    return new UnseenPairs(this.#committed);
  }

  remember(stored: Map<number, Set<string>>): void {
    for (const [minute, ips] of stored) {
      if (minute < this.#newest - MINUTES_KEPT * MINUTE_MS) continue;
      let known = this.#committed.get(minute);
      if (!known) {
        known = new Set();
        this.#committed.set(minute, known);
      }
      for (const ip of ips) {
        if (known.size >= MAX_IPS_PER_MINUTE) break;
        known.add(ip);
      }
      if (minute > this.#newest) this.#newest = minute;
    }
    for (const minute of this.#committed.keys()) {
      if (minute < this.#newest - MINUTES_KEPT * MINUTE_MS) this.#committed.delete(minute);
    }
  }
}

/** See IpMinuteTracker.unseen: `add` every stored decision, then read `pairs()`. */
export class UnseenPairs {
  readonly #fresh = new Map<number, Set<string>>();
  #minute = Number.NaN;
  #known: ReadonlySet<string> | undefined;
  #adding: Set<string> | undefined;
  readonly #committed: ReadonlyMap<number, ReadonlySet<string>>;

  constructor(committed: ReadonlyMap<number, ReadonlySet<string>>) {
    this.#committed = committed;
  }

  /** `ip` is kept (until the tracker forgets its minute), so it must not be a slice of a batch's text. */
  add(ts: number, ip: string): void {
    const m = minuteOf(ts);
    // Rows come in time order: the minute changes rarely, so its sets are looked up once per run.
    if (m !== this.#minute) {
      this.#minute = m;
      this.#known = this.#committed.get(m);
      this.#adding = this.#fresh.get(m);
      if (!this.#adding) {
        this.#adding = new Set();
        this.#fresh.set(m, this.#adding);
      }
    }
    if (this.#known?.has(ip) !== true) this.#adding!.add(ip);
  }

  /** The new pairs by minute. */
  pairs(): Map<number, Set<string>> {
    for (const [m, ips] of this.#fresh) if (ips.size === 0) this.#fresh.delete(m);
    return this.#fresh;
  }
}

/** The INSERTs for `pairs` (see IpMinuteTracker.unseen). */
export function ipMinuteStatements(pairs: Map<number, Set<string>>): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let params: SqlValue[] = [];
  const flush = () => {
    const rows = params.length / 2;
    statements.push({
      sql: `INSERT INTO parapet_ip_minutes (ip, minute) VALUES ${Array.from({ length: rows }, () => "(?, ?)").join(", ")} ON CONFLICT (ip, minute) DO NOTHING`,
      params,
    });
    params = [];
  };
  for (const [minute, ips] of pairs) {
    for (const ip of ips) {
      params.push(ip, minute);
      if (params.length === 2 * PAIRS_PER_INSERT) flush();
    }
  }
  if (params.length > 0) flush();
  return statements;
}

/** A stretch of time [from, to), in ms. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * The stretches of [from, to) in which `ip` may have decisions, newest first:
 * its minutes, with neighbouring minutes joined so a busy IP costs one query.
 */
export async function spansOfIp(driver: SqlDriver, ip: string, from: number, to: number): Promise<Span[]> {
  if (from >= to) return [];
  const rows = await driver.all<{ minute: number }>(
    "SELECT minute FROM parapet_ip_minutes WHERE ip = ? AND minute >= ? AND minute < ? ORDER BY minute DESC",
    [ip, minuteOf(from), to],
  );
  const spans: Span[] = [];
  let start = Number.NaN;
  let end = Number.NaN;
  for (const row of rows) {
    const minute = Number(row.minute);
    if (minute + MINUTE_MS === start) {
      start = minute;
      continue;
    }
    if (!Number.isNaN(start)) spans.push({ from: Math.max(from, start), to: Math.min(to, end) });
    start = minute;
    end = minute + MINUTE_MS;
  }
  if (!Number.isNaN(start)) spans.push({ from: Math.max(from, start), to: Math.min(to, end) });
  return spans;
}
