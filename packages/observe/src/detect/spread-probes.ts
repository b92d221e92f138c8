import type { Finding } from "../alerts/alert.js";
import { boundedKey } from "../bounded-key.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import { LeakyBucket, type LeakyBucketSpec } from "../sketch/leaky-bucket.js";

/**
 * A scan spread over many addresses: each client asks for a probe or two, below every per-client bucket, and
 * together they walk a wordlist (a botnet or a pool of proxies sharing one list). probesOverall counts, site-wide,
 * the different probe paths (dotfiles, backups, dumps, consoles: path-kind.ts) answered missing or refused.
 *
 * Only a client's first PER_CLIENT distinct probes count: one scanner walking its whole list is the per-client
 * buckets' finding, not this one, so the site-wide bucket fills only when many clients each add a few. The
 * internet's background noise (every site is asked for /.env, /.git/config and /wp-login.php by ever new
 * addresses all day) repeats the same few dozen paths, and a path already counted does not pour again while the
 * bucket holds anything.
 */
const PER_CLIENT = 3;
/** Paths remembered as counted; beyond it every path counts as new (the bucket is long past full by then). */
const MAX_PATHS = 4_096;
/** Clients named in the evidence; the count goes on past it. */
const EVIDENCE_CLIENTS = 10;

export class SpreadProbes {
  #bucket: LeakyBucket | undefined;
  #paths = new Set<string>();
  #clients: BoundedMap<string, number>;

  constructor(
    readonly spec: LeakyBucketSpec,
    readonly maxClients: number,
  ) {
    this.#clients = new BoundedMap(maxClients);
  }

  /** A probe path answered missing or refused, asked by `client`; the finding when the site-wide bucket overflows. */
  observe(client: string, path: string, now: number): Finding | undefined {
    if (!this.#bucket || this.#bucket.isEmpty(now)) this.#reset(now);
    const bucket = this.#bucket as LeakyBucket;
    const asked = this.#clients.get(client) ?? 0;
    if (asked >= PER_CLIENT) return undefined;
    const key = boundedKey(path);
    if (this.#paths.has(key)) return undefined;
    if (this.#paths.size < MAX_PATHS) this.#paths.add(key);
    this.#clients.set(client, asked + 1);
    if (!bucket.pour(now)) return undefined;
    const finding = this.#finding(bucket.level(now), path);
    this.#reset(now);
    return finding;
  }

  #finding(level: number, lastPath: string): Finding {
    const clients = [...this.#clients.entries()].map(([client]) => client);
    return {
      kind: "scan",
      severity: "warning",
      subject: "site",
      summary: `${clients.length} clients together asked for ${this.#paths.size} different probe paths (dotfiles, backups, consoles), each only a few: a scan spread over many addresses.`,
      evidence: {
        bucket: "probesOverall",
        level: Math.round(level * 10) / 10,
        clients: clients.length,
        distinctPaths: this.#paths.size,
        someClients: clients.slice(0, EVIDENCE_CLIENTS),
        lastPath,
      },
    };
  }

  #reset(now: number): void {
    this.#bucket = new LeakyBucket(this.spec, now);
    this.#paths = new Set();
    this.#clients = new BoundedMap(this.maxClients);
  }
}
