import type { Finding } from "../alerts/alert.js";
import { boundedKey } from "../bounded-key.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import type { LeakyBucketSpec } from "../sketch/leaky-bucket.js";
import { detached } from "../worker/packed-strings.js";
import { SiteWindow } from "./site-window.js";

/**
 * An injection campaign spread over many addresses: a tool (sqlmap, nuclei, a botnet's exploit kit) run through a
 * pool of proxies, each address sending one to three requests the shield flags, below shieldHitsPerIp. Counted
 * site-wide as distinct (client, attack class) pairs: a client adds its first PER_CLIENT classes and nothing after,
 * so one client hammering every class stays shieldHitsPerIp's finding, and only many clients fill this bucket.
 *
 * The user agents and paths are evidence, never the trigger: a tool's name is one header away from a browser's, and
 * a campaign sharing "sqlmap/1.8" across 80 addresses tells who ran it, where one sharing Chrome's and one form path
 * may be the shield misjudging real visitors (a rule to tune, not an attack).
 */
const PER_CLIENT = 2;
/** Clients named in the evidence; the count goes on past it. */
const EVIDENCE_CLIENTS = 10;
/** Entries in each of the evidence's top lists. */
const TOP = 3;
/** Distinct user agents, paths and classes tallied; beyond it a new one is not (the evidence is bounded, not the count). */
const MAX_TALLIED = 256;

/** What the caller knows of a flagged request beyond its client and class. */
export interface ShieldHitContext {
  /** The request path, without its query: the place attacked. */
  readonly path?: string | undefined;
  readonly userAgent?: string | undefined;
}

interface Counted {
  /** The classes each client has added, at most PER_CLIENT. */
  readonly clients: BoundedMap<string, string[]>;
  /** Clients per class, per user agent, per first path. */
  readonly classes: Map<string, number>;
  readonly agents: Map<string, number>;
  readonly paths: Map<string, number>;
}

export class AttackCampaign {
  readonly #window: SiteWindow<Counted>;

  constructor(spec: LeakyBucketSpec, maxClients: number) {
    this.#window = new SiteWindow(spec, () => ({
      clients: new BoundedMap(maxClients),
      classes: new Map(),
      agents: new Map(),
      paths: new Map(),
    }));
  }

  /** A request from `client` the shield flagged as `attackClass`; the finding when the site-wide bucket overflows. */
  observe(client: string, attackClass: string, now: number, context: ShieldHitContext = {}): Finding | undefined {
    const counted = this.#window.current(now);
    const added = counted.clients.get(client);
    if (added?.includes(attackClass) || (added?.length ?? 0) >= PER_CLIENT) return undefined;
    // The class is a rule's text (clipped to 128 by record.ts) and may be a slice of a batch: a copy of its own.
    const kept = detached(attackClass);
    if (added) added.push(kept);
    else {
      counted.clients.set(client, [kept]);
      // Once per client: "shared by 80 clients" is the evidence, not how often each repeated itself.
      if (context.userAgent !== undefined && context.userAgent !== "") tally(counted.agents, boundedKey(detached(context.userAgent)));
      if (context.path !== undefined) tally(counted.paths, boundedKey(detached(context.path)));
    }
    tally(counted.classes, kept);
    const level = this.#window.pour(now);
    return level === undefined ? undefined : finding(counted, level, attackClass);
  }
}

function finding(counted: Counted, level: number, lastClass: string): Finding {
  const clients = [...counted.clients.entries()].map(([client]) => client);
  const classes = Object.fromEntries([...counted.classes].sort((a, b) => b[1] - a[1]));
  return {
    // A kind of its own: deduplicated apart from probesOverall's site-wide scan, which a campaign's proxies often
    // set off in the same minutes (one cooldown would have kept the second alert from the team).
    kind: "attack_campaign",
    severity: "warning",
    subject: "site",
    summary: `${clients.length} clients each sent a few requests the shield flags as attacks (${Object.keys(classes).join(", ")}), each below the per-client threshold: an injection campaign spread over many addresses.`,
    evidence: {
      bucket: "shieldHitsOverall",
      level: Math.round(level * 10) / 10,
      clients: clients.length,
      classes,
      topUserAgents: top(counted.agents).map(([userAgent, count]) => ({ userAgent, clients: count })),
      topPaths: top(counted.paths).map(([path, count]) => ({ path, clients: count })),
      someClients: clients.slice(0, EVIDENCE_CLIENTS),
      lastClass,
    },
  };
}

function tally(counts: Map<string, number>, key: string): void {
  const count = counts.get(key);
  if (count !== undefined) counts.set(key, count + 1);
  else if (counts.size < MAX_TALLIED) counts.set(key, 1);
}

function top(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, TOP);
}
