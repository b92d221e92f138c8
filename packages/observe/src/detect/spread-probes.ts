import type { Finding } from "../alerts/alert.js";
import { boundedKey } from "../bounded-key.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import type { LeakyBucketSpec } from "../sketch/leaky-bucket.js";
import { SiteWindow } from "./site-window.js";

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

interface Counted {
  /** Probe paths counted in this fill of the bucket. */
  readonly paths: Set<string>;
  /** Probes counted per client, at most PER_CLIENT. */
  readonly clients: BoundedMap<string, number>;
}

export class SpreadProbes {
  readonly #window: SiteWindow<Counted>;

  constructor(spec: LeakyBucketSpec, maxClients: number) {
    this.#window = new SiteWindow(spec, () => ({ paths: new Set(), clients: new BoundedMap(maxClients) }));
  }

  /** A probe path answered missing or refused, asked by `client`; the finding when the site-wide bucket overflows. */
  observe(client: string, path: string, now: number): Finding | undefined {
    const counted = this.#window.current(now);
    const asked = counted.clients.get(client) ?? 0;
    if (asked >= PER_CLIENT) return undefined;
    const key = boundedKey(path);
    if (counted.paths.has(key)) return undefined;
    if (counted.paths.size < MAX_PATHS) counted.paths.add(key);
    counted.clients.set(client, asked + 1);
    const level = this.#window.pour(now);
    return level === undefined ? undefined : finding(counted, level, path);
  }
}

function finding(counted: Counted, level: number, lastPath: string): Finding {
  const clients = [...counted.clients.entries()].map(([client]) => client);
  return {
    kind: "scan",
    severity: "warning",
    subject: "site",
    summary: `${clients.length} clients together asked for ${counted.paths.size} different probe paths (dotfiles, backups, consoles), each only a few: a scan spread over many addresses.`,
    evidence: {
      bucket: "probesOverall",
      level: Math.round(level * 10) / 10,
      clients: clients.length,
      distinctPaths: counted.paths.size,
      someClients: clients.slice(0, EVIDENCE_CLIENTS),
      lastPath,
    },
  };
}
