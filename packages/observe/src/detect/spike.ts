import { optionError } from "@parapet/core";
import type { Finding } from "../alerts/alert.js";
import { BoundedMap } from "../sketch/bounded-map.js";
import { HyperLogLog } from "../sketch/hyperloglog.js";
import { SpaceSaving } from "../sketch/space-saving.js";
import type { TrafficEvent } from "./traffic.js";

/**
 * Is this traffic spike an attack, or just our largest customer?
 *
 * Traffic is cut into windows (10 s). Each window keeps counts, HyperLogLog
 * distinct counts (IPs, /24-/64 prefixes, paths) and Space-Saving heavy
 * hitters by client; exponentially weighted baselines (~30 min) follow the
 * normal level. A spike window enters the baseline capped at spikeFactor ×
 * baseline (a winsorized mean), so a sustained flood cannot teach the
 * baseline that it is normal within minutes, while real growth is still
 * absorbed within a few baseline horizons. A window is a spike when its total exceeds `spikeFactor` ×
 * baseline (and `minRequests`), or when the traffic of clients that are *not*
 * established exceeds `spikeFactor` × its own baseline (and `minRequests`):
 * a flood must not hide behind the headroom a big customer's growth left in
 * the site-wide baseline. The excess is then split between
 * *established* clients (authenticated by API key or user, first seen at
 * least `establishedAfterMs` ago and active in at least `establishedWindows`
 * windows since) and everyone else:
 * - customer: established clients carry most of the excess and bot, deny and
 *   error rates stay near their baselines;
 * - attack: the excess comes from new or unauthenticated clients and at least
 *   one attack signal fired (distinct IPs or prefixes jumped; bot share,
 *   deny or error rate, shield hits, client errors (4xx) or requests for
 *   paths never seen before up: a scanner is one client asking for paths
 *   nobody asked for, most of them missing);
 * - unexplained: neither story fits; a human should look.
 * An API key is only what a client sent, so "established" is also asked of the network: a client's requests from a
 * network (/24, IPv6 prefix) it has no such history on are counted apart. An established key used from networks new
 * to it, beyond what is usual for established keys, is a signal (a leaked key, or a customer that moved): with no
 * other signal the spike is unexplained, and with another (bot share, distinct IPs…) that traffic counts as the
 * attacker's. A new API key sent from the exact address (IPv4, IPv6 prefix) an established key uses from an established
 * network, by the same kind of client (bot or not), is that customer's successor (a key rotated on the same servers)
 * and counts as established; the evidence names how many such successors there were. The residual risk is an
 * attacker sharing that address (a NAT the customer also sits behind); its flood still meets every other signal.
 * Memory is bounded: one window of sketches, `maxClients` client histories, as many client-network histories and
 * customer addresses, and `maxPaths` recent paths.
 */
export interface SpikeOptions {
  readonly windowMs?: number;
  /** Window total above baseline × this is a spike. Default 3. */
  readonly spikeFactor?: number;
  /** Windows with fewer requests are never spikes. Default 50. */
  readonly minRequests?: number;
  /** Windows of history before any call is made. Default 30 (5 minutes). */
  readonly warmupWindows?: number;
  /**
   * EWMA horizon in windows. Default 180 (30 minutes): long enough that a customer growing 10x over a few
   * minutes stands out against it, short enough to follow the daily curve.
   */
  readonly baselineWindows?: number;
  /** A client seen this long ago is established. Default 15 minutes. */
  readonly establishedAfterMs?: number;
  /**
   * ...and seen in at least this many windows: a history, not one request planted ahead of a flood. Default 10
   * (a customer calling once a minute has 15 by the time it is old enough).
   */
  readonly establishedWindows?: number;
  /** First-seen times kept at most. Default 50,000. */
  readonly maxClients?: number;
  /** Recently requested paths remembered, to tell a path never seen before. Default 20,000. */
  readonly maxPaths?: number;
}

/** What the detector remembers of a client: when it was first seen, and in how many windows since. */
interface ClientHistory {
  readonly first: number;
  /** The start of the last window it was seen in. */
  window: number;
  windows: number;
}

/** A client-network history (see SpikeOptions.maxClients) keys its client and network with this between them. */
const SEPARATOR = "\u0000";

export type SpikeVerdict = "customer" | "attack" | "unexplained";

interface Window {
  start: number;
  total: number;
  established: number;
  denied: number;
  errored: number;
  bots: number;
  /** Requests the shield found an attack in. */
  attacks: number;
  /** Responses whose status was reported in this window, and how many of them were 4xx. */
  statuses: number;
  clientErrors: number;
  /** Requests for a path not among the recent ones. */
  unseenPaths: number;
  /** Requests of established clients from a network they have no history on. */
  newNetwork: number;
  /** New API keys counted as established: sent from an established customer's address (see the doc comment). */
  successors: HyperLogLog;
  /** The first MAX_SUCCESSOR_KEYS of them, so that the heaviest is not taken for a client with no history. */
  successorKeys: Set<string>;
  ips: HyperLogLog;
  prefixes: HyperLogLog;
  paths: HyperLogLog;
  newClients: HyperLogLog;
  hitters: SpaceSaving;
}

interface Baseline {
  total: number;
  /** Requests from clients that are not established. */
  other: number;
  established: number;
  ips: number;
  prefixes: number;
  botShare: number;
  denyRate: number;
  errorRate: number;
  attackShare: number;
  clientErrorShare: number;
  /**
   * The share of requests for paths not asked for recently: near 0 while people use the same pages (or near 1, and
   * steady, on an API of ever new ids), near 1 for a wordlist. A share, so windows of any size compare.
   */
  unseenPathShare: number;
  /** The share of established clients' requests that come from networks new to them (a mobile app's key: high). */
  newNetworkShare: number;
  windows: number;
}

/** The rates a window is judged on, next to their baselines. */
interface WindowRates {
  readonly ips: number;
  readonly prefixes: number;
  readonly botShare: number;
  readonly denyRate: number;
  readonly errorRate: number;
  readonly attackShare: number;
  /** Undefined when too few statuses were reported to tell. */
  readonly clientErrorShare: number | undefined;
  readonly unseenPathShare: number;
  /** Undefined in a window with no established traffic. */
  readonly newNetworkShare: number | undefined;
}

/** Characters of a path remembered: paths that share their first 128 count as one (at most ~5 MB for maxPaths). */
const MAX_PATH_KEY = 128;
/** An attack signal must move a rate by this much (absolute) to count: small shares are noisy. */
const RATE_JUMP = 0.15;
const NEW_NETWORKS = "established clients used from networks new to them";
/** Successor keys named per window (a rotation is a handful of keys; more are counted, not named). */
const MAX_SUCCESSOR_KEYS = 64;
/** Distinct IPs or prefixes growing this many times over baseline is many new clients. */
const DISTINCT_JUMP = 3;

export interface SpikeDetector {
  observe(event: TrafficEvent): void;
  /** The response status of a request observed before (statuses are reported after the app answers). */
  observeStatus(status: number): void;
  /** Closes windows that ended before `now` (call from a timer when traffic may stop). */
  tick(now: number): void;
}

export function createSpikeDetector(options: SpikeOptions, report: (finding: Finding, ts: number) => void): SpikeDetector {
  const windowMs = positive(options.windowMs ?? 10_000, "windowMs");
  const spikeFactor = positive(options.spikeFactor ?? 3, "spikeFactor");
  const minRequests = positive(options.minRequests ?? 50, "minRequests");
  const warmup = positive(options.warmupWindows ?? 30, "warmupWindows");
  const alpha = 2 / (positive(options.baselineWindows ?? 180, "baselineWindows") + 1);
  const establishedAfterMs = positive(options.establishedAfterMs ?? 15 * 60_000, "establishedAfterMs");
  const establishedWindows = positive(options.establishedWindows ?? 10, "establishedWindows");
  const maxClients = positive(options.maxClients ?? 50_000, "maxClients");
  const history = new BoundedMap<string, ClientHistory>(maxClients);
  /** Client-network histories: the same rule, asked of a client on one network (`${client}\0${prefix}`). */
  const networks = new BoundedMap<string, ClientHistory>(maxClients);
  /** Addresses (`${address}\0${bot}`) an established API key used from an established network, and when last. */
  const customerAddresses = new BoundedMap<string, number>(maxClients);
  /** Whether a client has the history of a customer at `ts` (see establishedWindows). */
  const isEstablished = (seen: ClientHistory, ts: number) => ts - seen.first >= establishedAfterMs && seen.windows >= establishedWindows;
  const recentPaths = new BoundedMap<string, true>(positive(options.maxPaths ?? 20_000, "maxPaths"));
  const baseline: Baseline = {
    total: 0,
    other: 0,
    established: 0,
    ips: 0,
    prefixes: 0,
    botShare: 0,
    denyRate: 0,
    errorRate: 0,
    attackShare: 0,
    clientErrorShare: 0,
    unseenPathShare: 0,
    newNetworkShare: 0,
    windows: 0,
  };
  let window: Window | undefined;
  /**
   * Added to the times the detector is given, so that its own time never goes back by more than a window. A clock
   * stepped back (NTP, a VM restored) kept the open window open until the clock caught up: an hour's step made one
   * window of an hour's traffic, reported as a spike of 360x baseline, and no spike was seen meanwhile; and clients
   * first seen "later" were new again for that long. Forward steps need nothing: the windows in between close empty.
   */
  let offset = 0;

  function detectorTime(ts: number): number {
    const t = ts + offset;
    if (window && t < window.start - windowMs) {
      // Carry on from the open window, as if no time had passed across the step.
      offset += window.start - t;
      return window.start;
    }
    return t;
  }

  function open(start: number): Window {
    return {
      start,
      total: 0,
      established: 0,
      denied: 0,
      errored: 0,
      bots: 0,
      attacks: 0,
      statuses: 0,
      clientErrors: 0,
      unseenPaths: 0,
      newNetwork: 0,
      successors: new HyperLogLog(),
      successorKeys: new Set(),
      ips: new HyperLogLog(),
      prefixes: new HyperLogLog(),
      paths: new HyperLogLog(),
      newClients: new HyperLogLog(),
      hitters: new SpaceSaving(32),
    };
  }

  function tick(now: number): void {
    closeUntil(detectorTime(now));
  }

  function closeUntil(now: number): void {
    if (!window) return;
    let closed = 0;
    while (now >= window.start + windowMs) {
      close(window);
      closed++;
      // Empty windows count too (a quiet minute is part of the baseline), but after a long
      // silence jump ahead instead of closing every empty window one by one.
      window = open(closed >= 100 ? Math.floor(now / windowMs) * windowMs : window.start + windowMs);
    }
  }

  function observe(event: TrafficEvent): void {
    const ts = detectorTime(event.ts);
    window ??= open(Math.floor(ts / windowMs) * windowMs);
    closeUntil(ts);
    const w = window;
    w.total++;
    if (event.denied) w.denied++;
    if (event.errored) w.errored++;
    if (event.bot) w.bots++;
    if (event.attack) w.attacks++;
    w.ips.add(event.ip);
    w.prefixes.add(event.prefix);
    w.paths.add(event.path);
    // Bounded keys: a client chooses its path's length.
    const pathKey = event.path.length > MAX_PATH_KEY ? event.path.slice(0, MAX_PATH_KEY) : event.path;
    if (recentPaths.get(pathKey) === undefined) {
      recentPaths.set(pathKey, true);
      w.unseenPaths++;
    }
    w.hitters.add(event.client);
    const seen = remember(history, event.client, ts, w.start);
    if (seen === undefined) w.newClients.add(event.client);
    // An unauthenticated client is its network already.
    if (!event.authenticated) return;
    const onNetwork = remember(networks, `${event.client}${SEPARATOR}${event.prefix}`, ts, w.start);
    // An IPv4 client's own address, an IPv6 client's prefix (one host owns it): a NAT shared with strangers is the
    // exception, a /24 in a cloud region is not.
    const address = `${event.ip.includes(":") ? event.prefix : event.ip}${SEPARATOR}${event.bot ? 1 : 0}`;
    const apiKey = !event.client.startsWith("user:");
    if (seen !== undefined && isEstablished(seen, ts)) {
      w.established++;
      if (onNetwork === undefined || !isEstablished(onNetwork, ts)) w.newNetwork++;
      else if (apiKey) customerAddresses.set(address, ts);
      return;
    }
    // Not established: a customer's new key if an established key was just used from this very address, and the key
    // is new (a key that has been around as long as an established one without building a history was planted).
    const last = apiKey ? customerAddresses.get(address) : undefined;
    const young = seen === undefined || ts - seen.first < establishedAfterMs;
    if (young && last !== undefined && ts - last <= establishedAfterMs) {
      w.established++;
      w.successors.add(event.client);
      if (w.successorKeys.size < MAX_SUCCESSOR_KEYS) w.successorKeys.add(event.client);
    }
  }

  /** Counts `key` seen in the window starting at `start`; returns its history before this request (none if new). */
  function remember(map: BoundedMap<string, ClientHistory>, key: string, ts: number, start: number): ClientHistory | undefined {
    const seen = map.get(key);
    if (seen === undefined) {
      map.set(key, { first: ts, window: start, windows: 1 });
      return undefined;
    }
    if (seen.window !== start) {
      seen.window = start;
      seen.windows++;
    }
    return seen;
  }

  /**
   * Counted in the window open when it arrives: a status follows its request by the app's response time, so the
   * few that cross a window's end move to the next with no effect on a share.
   */
  function observeStatus(status: number): void {
    if (!window) return;
    window.statuses++;
    if (status >= 400 && status < 500) window.clientErrors++;
  }

  function ratesOf(w: Window): WindowRates {
    const share = (count: number) => (w.total ? count / w.total : 0);
    return {
      ips: w.ips.count(),
      prefixes: w.prefixes.count(),
      botShare: share(w.bots),
      denyRate: share(w.denied),
      errorRate: share(w.errored),
      attackShare: share(w.attacks),
      clientErrorShare: w.statuses >= minRequests / 2 ? w.clientErrors / w.statuses : undefined,
      unseenPathShare: share(w.unseenPaths),
      newNetworkShare: w.established >= minRequests / 2 ? w.newNetwork / w.established : undefined,
    };
  }

  function close(w: Window): void {
    const now = ratesOf(w);
    const warmedUp = baseline.windows >= warmup;
    const other = w.total - w.established;
    const siteSpike = w.total >= minRequests && w.total > spikeFactor * Math.max(baseline.total, 1);
    const otherSpike = other >= minRequests && other > spikeFactor * Math.max(baseline.other, 1);
    if (warmedUp && (siteSpike || otherSpike)) {
      report(classify(w, now), w.start + windowMs - offset);
    }
    const blend = (old: number, now: number) => (baseline.windows === 0 ? now : old + alpha * (now - old));
    const cap = spikeFactor * Math.max(baseline.total, minRequests);
    baseline.total = blend(baseline.total, Math.min(w.total, cap));
    baseline.established = blend(baseline.established, w.established);
    baseline.other = blend(baseline.other, Math.min(other, spikeFactor * Math.max(baseline.other, minRequests)));
    baseline.ips = blend(baseline.ips, now.ips);
    baseline.prefixes = blend(baseline.prefixes, now.prefixes);
    // Rates only move on windows with traffic, so a quiet night does not reset them to zero.
    if (w.total > 0) {
      baseline.botShare = blend(baseline.botShare, now.botShare);
      baseline.denyRate = blend(baseline.denyRate, now.denyRate);
      baseline.errorRate = blend(baseline.errorRate, now.errorRate);
      baseline.attackShare = blend(baseline.attackShare, now.attackShare);
      baseline.unseenPathShare = blend(baseline.unseenPathShare, now.unseenPathShare);
    }
    if (now.clientErrorShare !== undefined) baseline.clientErrorShare = blend(baseline.clientErrorShare, now.clientErrorShare);
    if (now.newNetworkShare !== undefined) baseline.newNetworkShare = blend(baseline.newNetworkShare, now.newNetworkShare);
    baseline.windows++;
  }

  function classify(w: Window, now: WindowRates): Finding {
    // Measured against whichever baseline tripped: the whole site, or the clients that are not established.
    const excess = Math.max(w.total - baseline.total, w.total - w.established - baseline.other, 1);
    const establishedExcess = w.established - baseline.established;
    const otherExcess = excess - establishedExcess;
    const signals: string[] = [];
    if (now.ips > DISTINCT_JUMP * Math.max(baseline.ips, 1)) signals.push("distinct IPs jumped");
    if (now.prefixes > DISTINCT_JUMP * Math.max(baseline.prefixes, 1)) signals.push("distinct networks jumped");
    if (now.botShare - baseline.botShare > RATE_JUMP) signals.push("bot share rose");
    if (now.denyRate - baseline.denyRate > RATE_JUMP) signals.push("deny rate rose");
    if (now.errorRate - baseline.errorRate > RATE_JUMP) signals.push("error rate rose");
    if (now.attackShare - baseline.attackShare > RATE_JUMP) signals.push("shield hits rose");
    if (now.clientErrorShare !== undefined && now.clientErrorShare - baseline.clientErrorShare > RATE_JUMP)
      signals.push("client errors (4xx) rose");
    if (now.unseenPathShare - baseline.unseenPathShare > RATE_JUMP) signals.push("requests for unseen paths rose");
    const movedKeys = now.newNetworkShare !== undefined && now.newNetworkShare - baseline.newNetworkShare > RATE_JUMP;
    // One client with no history carrying most of the jump: a scanner, a scraper, or a flood under a key it sent once
    // ahead of time (an API key is only what the client sent), not a customer.
    const [topHitter] = w.hitters.top(1);
    const topSeen = topHitter ? history.peek(topHitter.key) : undefined;
    if (
      topHitter &&
      topSeen !== undefined &&
      !isEstablished(topSeen, w.start + windowMs) &&
      !w.successorKeys.has(topHitter.key) &&
      topHitter.count >= 0.5 * excess
    ) {
      signals.push("one client with no history carries most of the jump");
    }
    // After the others: they are what makes the traffic of keys used from new networks an attacker's.
    const attackSignals = signals.length;
    if (movedKeys) signals.push(NEW_NETWORKS);
    // Requests of established keys from new networks beyond the usual share: the attacker's if any attack signal fired.
    const movedExcess = movedKeys ? Math.max(0, w.newNetwork - baseline.newNetworkShare * w.established) : 0;
    let verdict: SpikeVerdict = "unexplained";
    if (establishedExcess >= 0.6 * excess && signals.length === 0) verdict = "customer";
    else if (otherExcess + movedExcess >= 0.5 * excess && attackSignals > 0) verdict = "attack";
    const top = w.hitters.top(5).map((h) => ({ client: h.key, requests: h.count, share: round(h.count / w.total) }));
    const evidence = {
      verdict,
      windowStart: w.start - offset,
      windowMs,
      requests: w.total,
      baselineRequests: round(baseline.total),
      establishedShareOfExcess: round(excess > 0 ? establishedExcess / excess : 0),
      newClients: w.newClients.count(),
      distinctIps: now.ips,
      baselineDistinctIps: round(baseline.ips),
      distinctNetworks: now.prefixes,
      distinctPaths: w.paths.count(),
      botShare: round(now.botShare),
      baselineBotShare: round(baseline.botShare),
      denyRate: round(now.denyRate),
      baselineDenyRate: round(baseline.denyRate),
      errorRate: round(now.errorRate),
      attackShare: round(now.attackShare),
      baselineAttackShare: round(baseline.attackShare),
      clientErrorShare: now.clientErrorShare === undefined ? null : round(now.clientErrorShare),
      baselineClientErrorShare: round(baseline.clientErrorShare),
      unseenPathShare: round(now.unseenPathShare),
      baselineUnseenPathShare: round(baseline.unseenPathShare),
      newNetworkShare: now.newNetworkShare === undefined ? null : round(now.newNetworkShare),
      baselineNewNetworkShare: round(baseline.newNetworkShare),
      successorKeys: w.successors.count(),
      signals,
      topClients: top,
    };
    const ratio = round(w.total / Math.max(baseline.total, 1));
    const successors = w.successors.count();
    const summary =
      verdict === "customer"
        ? `Traffic ${ratio}x baseline, explained by established authenticated clients growing (top: ${top[0]?.client ?? "?"})${
            successors > 0 ? `; ${successors} new key(s) sent from their addresses counted as theirs (a rotation)` : ""
          }.`
        : verdict === "attack"
          ? `Traffic ${ratio}x baseline from new or unauthenticated clients${movedExcess > 0 ? " and established keys used from networks new to them" : ""}: ${signals.join(", ")}.`
          : movedKeys
            ? `Traffic ${ratio}x baseline from established keys (top: ${top[0]?.client ?? "?"}), but ${Math.round((now.newNetworkShare ?? 0) * 100)}% of their requests came from networks new to them (usually ${Math.round(baseline.newNetworkShare * 100)}%): a leaked key, or a customer that moved; ask them.`
            : `Traffic ${ratio}x baseline that neither established clients nor attack signals explain.`;
    return {
      kind: "spike",
      severity: verdict === "attack" ? "critical" : verdict === "customer" ? "info" : "warning",
      subject: `traffic:${verdict}`,
      summary,
      evidence,
    };
  }

  return { observe, observeStatus, tick };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw optionError("observe", `detectors.spike.${name} must be a positive number`);
  return value;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
