import { optionError } from "@parapet/core";
import type { Finding } from "../alerts/alert.js";
import { checkBucketSpec, type LeakyBucketSpec } from "../sketch/leaky-bucket.js";
import { AttackCampaign, type ShieldHitContext } from "./attack-campaign.js";
import { type ClientKey, clientKeyOf } from "./client-key.js";
import { KeyedBuckets } from "./keyed-buckets.js";
import { isHiddenTarget, isSecretTarget, PATH_WEIGHTS, pathKindOf } from "./path-kind.js";
import { SpreadProbes } from "./spread-probes.js";

/**
 * Scanners: a client walking paths that do not exist, or tripping the shield.
 * Clients are keyed by IPv4 address or IPv6 prefix (/64 by default; client-key.ts). Paths are
 * weighed by their kind (path-kind.ts): a missing static asset pours 1/4 unit,
 * a page 1, a known probe (/.env, /.git/config, /backup.sql, /wp-admin/) 3.
 * A browser rendering a broken theme misses dozens of assets at once and no
 * probe; a scanner's wordlist is made of pages and probes. So one broken page
 * (up to 60 missing assets in a burst) is no scan, and a wordlist is one fast.
 * - notFoundPerIp {20, 2 s, distinct paths}: 404/410s (and 400/401/403/405 on dotfiles, traversal, consoles) on more than ~20 different
 *   pages (7 probes, 80 assets) in a burst (CrowdSec's http-probing: 10 per 10 s,
 *   assets included);
 * - slowProbingPerIp {15, 10 s, distinct paths}: the same 404s over minutes. A
 *   careful scanner (w3af opens at ~30 requests a minute) never bursts, but no
 *   person or page walks into 16 different missing pages (6 probes, 60 assets)
 *   while at most one is forgiven every 10 s;
 * - shieldHitsPerIp {5, 10 s}: requests the shield flagged as attacks;
 * - pathsPerIp {60, 1 s, distinct paths, same weights; of an authenticated client
 *   only its probes}: a crawler walking the site faster than a person or a page load does
 *   (a scanner's discovery phase returns 200s, so the 404 bucket alone is late). An API client reading ever new
 *   ids is not a crawler, but "authenticated" only means a key was sent: any x-api-key hid a whole wordlist here.
 * - patientProbingPerIp {10, 10 min, distinct probe paths, missing or served only}: a scanner that waits between
 *   guesses (one every 30 s to a few minutes) drains every bucket above, probes weighing 3 included. No browser asks
 *   for eleven different dotfiles, dumps or consoles in an hour and a half; refusals are left out (an admin whose
 *   session expired is refused several /wp-admin/ pages);
 * - probesOverall {30, 15 s, distinct probe paths, site-wide; a client's first 3 only}: a wordlist spread over
 *   many addresses, each below its own buckets (spread-probes.ts). 120 proxies asking 2–3 guesses each went unseen;
 *   the internet's background (ever new addresses asking for the same few dozen paths) repeats itself and does
 *   not fill it. Subject "site": an alert, not a block (no one client is the scanner).
 * - shieldHitsOverall {12, 6 s, distinct (client, attack class) pairs, site-wide; a client's first 2 classes only}: an
 *   injection campaign spread over many addresses (attack-campaign.ts). 100 proxies sending 1–3 flagged requests each,
 *   ~1 a second, went unseen: shieldHitsPerIp needs 6 from one client. ~0.5 new clients a second fill it in ~35 s
 *   (15 s in eval:observe). It drains 10 clients a minute: the internet's single injection probes from ever new
 *   addresses (a few an hour) never fill it; at random at 5 a minute none did in 2,000 simulated hours, at 6 a minute
 *   once. A campaign slower than ~10 new addresses a minute is not found here. Shield hits on probe paths (/.env
 *   flagged as traversal) are left to probesOverall: ever new addresses ask every site for those all day.
 *   Subject "site", evidence: classes, clients, top user agents and paths. Raise it for a site where the shield
 *   flags more than ~10 different real visitors a minute (the evidence then shows browsers on one form path).
 * A secret file, dump, backup or traversal (isSecretTarget) answered 2xx or 3xx counts like a 404: a single-page
 * app answers 200 for every path, so a wordlist against one never met a 404 (20 guesses, one every 3 s: nothing).
 */
/**
 * Statuses a server refuses a probe with instead of a 404: nginx's usual `location ~ /\. { deny all; }` and most
 * WAFs and CDNs answer 403, /server-status and consoles 401, and traversal 400 (counted for such targets only). Counted as 404s were only, a wordlist
 * of 20 dotfiles and backups answered 403 (one every 2 s) raised nothing; answered 404, a finding within 10 s.
 */
const REFUSED: ReadonlySet<number> = new Set([400, 401, 403, 405]);

export interface ScanDetectorOptions {
  readonly notFoundPerIp?: LeakyBucketSpec;
  readonly slowProbingPerIp?: LeakyBucketSpec;
  readonly shieldHitsPerIp?: LeakyBucketSpec;
  readonly pathsPerIp?: LeakyBucketSpec;
  readonly patientProbingPerIp?: LeakyBucketSpec;
  readonly probesOverall?: LeakyBucketSpec;
  readonly shieldHitsOverall?: LeakyBucketSpec;
  readonly maxKeys?: number;
}

export interface ScanDetector {
  observeStatus(ip: string, path: string, status: number, now: number): void;
  /** `context`: the request's path and user agent, for the site-wide campaign's evidence (and to leave probe paths out). */
  observeShieldHit(ip: string, attackClass: string, now: number, context?: ShieldHitContext): void;
  observeRequest(ip: string, path: string, authenticated: boolean, now: number): void;
}

/** `clientKey`: how an IP becomes a client (IPv6 by its prefix, see client-key.ts). */
export function createScanDetector(
  options: ScanDetectorOptions,
  report: (finding: Finding, ts: number) => void,
  clientKey: ClientKey = clientKeyOf,
): ScanDetector {
  const maxKeys = options.maxKeys ?? 50_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw optionError("observe", "detectors.scan.maxKeys must be a positive integer");
  const specOf = (name: Exclude<keyof ScanDetectorOptions, "maxKeys">, fallback: LeakyBucketSpec) => {
    const spec = options[name] ?? fallback;
    const problem = checkBucketSpec(spec, `detectors.scan.${name}`);
    if (problem) throw optionError("observe", problem);
    return spec;
  };
  const build = (name: Exclude<keyof ScanDetectorOptions, "maxKeys" | "probesOverall" | "shieldHitsOverall">, fallback: LeakyBucketSpec) =>
    new KeyedBuckets(specOf(name, fallback), maxKeys);
  const notFound = build("notFoundPerIp", { capacity: 20, leakMs: 2_000 });
  const slowProbing = build("slowProbingPerIp", { capacity: 15, leakMs: 10_000 });
  const shieldHits = build("shieldHitsPerIp", { capacity: 5, leakMs: 10_000 });
  const paths = build("pathsPerIp", { capacity: 60, leakMs: 1_000 });
  const patientProbing = build("patientProbingPerIp", { capacity: 10, leakMs: 600_000 });
  const spread = new SpreadProbes(specOf("probesOverall", { capacity: 30, leakMs: 15_000 }), maxKeys);
  const campaign = new AttackCampaign(specOf("shieldHitsOverall", { capacity: 12, leakMs: 6_000 }), maxKeys);

  return {
    observeStatus(ip, path, status, now) {
      const missing = status === 404 || status === 410;
      // A refusal counts for a known probe only (isHiddenTarget): a page answers 401/403 to people every day (a
      // session expired), a /.env or /.git/config that is refused was still asked for by no browser. Served, only a
      // secret counts (see the doc comment).
      const counted = missing || (REFUSED.has(status) ? isHiddenTarget(path) : status >= 200 && status < 400 && isSecretTarget(path));
      if (!counted) return;
      const kind = pathKindOf(path);
      const client = clientKey(ip);
      const patient = kind === "probe" && !REFUSED.has(status);
      for (const [bucket, buckets, amount] of [
        ["notFoundPerIp", notFound, PATH_WEIGHTS[kind]],
        ["slowProbingPerIp", slowProbing, PATH_WEIGHTS[kind]],
        ["patientProbingPerIp", patient ? patientProbing : undefined, 1],
      ] as const) {
        const level = buckets?.pour(client, now, path, amount);
        if (level === undefined) continue;
        report(
          {
            kind: "scan",
            severity: "warning",
            subject: `ip:${client}`,
            summary: `${client} requested many paths that do not exist: probably a vulnerability scanner.`,
            evidence: { bucket, level: Math.round(level * 10) / 10, lastPath: path, lastPathKind: kind },
          },
          now,
        );
      }
      if (kind !== "probe") return;
      const spreadFinding = spread.observe(client, path, now);
      if (spreadFinding) report(spreadFinding, now);
    },
    observeRequest(ip, path, authenticated, now) {
      const kind = pathKindOf(path);
      if (authenticated && kind !== "probe") return;
      const client = clientKey(ip);
      const level = paths.pour(client, now, path, PATH_WEIGHTS[kind]);
      if (level === undefined) return;
      report(
        {
          kind: "scan",
          severity: "warning",
          subject: `ip:${client}`,
          summary: `${client} is walking many different paths quickly: a crawler or a scanner's discovery phase.`,
          evidence: { bucket: "pathsPerIp", level: Math.round(level * 10) / 10, lastPath: path },
        },
        now,
      );
    },
    observeShieldHit(ip, attackClass, now, context) {
      const client = clientKey(ip);
      // A probe flagged (/.env as traversal) is probesOverall's: the internet's background asks for those all day.
      const probe = context?.path !== undefined && pathKindOf(context.path) === "probe";
      const campaignFinding = probe ? undefined : campaign.observe(client, attackClass, now, context);
      if (campaignFinding) report(campaignFinding, now);
      const level = shieldHits.pour(client, now);
      if (level === undefined) return;
      report(
        {
          kind: "scan",
          severity: "critical",
          subject: `ip:${client}`,
          summary: `${client} keeps sending requests the shield flags as attacks (${attackClass}).`,
          evidence: { bucket: "shieldHitsPerIp", level: Math.round(level * 10) / 10, attackClass },
        },
        now,
      );
    },
  };
}
