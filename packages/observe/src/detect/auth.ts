import { type AuthEvent, optionError } from "@parapet/core";
import type { Finding } from "../alerts/alert.js";
import { authAccountKey } from "../bounded-key.js";
import { checkBucketSpec, type LeakyBucketSpec } from "../sketch/leaky-bucket.js";
import { type ClientKey, clientKeyFor, clientKeyOf } from "./client-key.js";
import { KeyedBuckets } from "./keyed-buckets.js";

/**
 * Credential stuffing and brute force, from `reportAuthFailure` events, as
 * leaky buckets (capacity = failures tolerated in a burst, leakMs = how fast
 * the tolerance comes back). Defaults, chosen so a person mistyping a
 * password a few times never fires:
 * - failuresPerIp  {10, 6 s}: a fast guesser on one IP (brute_force, subject ip:…)
 * - failuresPerUser {8, 60 s}: one account attacked slowly, from any IPs (brute_force, user:…)
 * - usersPerIp     {5, 60 s, distinct users}: one IP trying many accounts (credential_stuffing, ip:…)
 * - ipsPerUser     {5, 60 s, distinct IPs}: one account tried from many IPs (brute_force, user:…)
 * - usersOverall   {40, 1 s, distinct users}: a distributed list replay, many accounts from many IPs,
 *   each IP below its own threshold (credential_stuffing, subject "site"). Raise it for sites where more
 *   than ~40 distinct accounts fail to log in within a few seconds legitimately.
 * - usersOverallSustained {120, 6 s, distinct users}: the same list replayed low and slow, below usersOverall's one
 *   account a second, from a botnet or a proxy pool whose every address stays below the per-IP buckets
 *   (credential_stuffing, subject "site"). 45 accounts a minute from 300 networks ran an hour (2,700 accounts)
 *   unseen; it is now found in under 4 minutes. It forgives 10 distinct failing accounts a minute for ever (a site
 *   with ~10,000 logins an hour and a 5% typo rate fails 8): raise it for a site where more fail legitimately.
 * - usersPerNetwork {20, 15 s, distinct users}: one IPv6 /48 trying many accounts from ever new /64s
 *   (credential_stuffing, subject net:…/48; not blocked, a block covers one client). A host given a /48 (tunnel
 *   brokers hand them out free) could spread a list over 65,536 clients, each below usersPerIp, and stay under
 *   usersOverall at ~50 accounts a minute: 1,500 accounts in 30 minutes went unseen. 20 accounts in a burst, then
 *   one every 15 s, is four times what usersPerIp lets one IPv4 office NAT fail.
 * "IP" means the client's key: the IPv4 address, or the IPv6 /64 by default (observe's `ipv6Prefix`, client-key.ts), so rotating
 * addresses inside one prefix is one client; the evidence keeps the exact address. "User" means the account
 * (accountOf in bounded-key.ts: case, surrounding blanks and compatibility forms ignored); the evidence keeps the name as sent.
 */
export interface AuthDetectorOptions {
  readonly failuresPerIp?: LeakyBucketSpec;
  readonly usersOverallSustained?: LeakyBucketSpec;
  readonly failuresPerUser?: LeakyBucketSpec;
  readonly usersPerIp?: LeakyBucketSpec;
  readonly ipsPerUser?: LeakyBucketSpec;
  readonly usersOverall?: LeakyBucketSpec;
  readonly usersPerNetwork?: LeakyBucketSpec;
  /** Keys tracked per bucket family. Default 50,000. */
  readonly maxKeys?: number;
}

export interface AuthDetector {
  /** `account`: the user's authAccountKey, when the caller has it (the event's user is then bounded already). */
  observe(event: AuthEvent & { readonly account?: string | undefined }): void;
}

/** The IPv6 network usersPerNetwork counts by: what one site (or one tunnel-broker user) is given. */
export const NETWORK_PREFIX = 48;

/**
 * `clientKey`: how an IP becomes a client (IPv6 by its prefix, see client-key.ts). `networkKey`: the wider IPv6
 * network usersPerNetwork counts by, undefined when clients are already keyed that wide (an IPv4 client is its own network).
 */
export function createAuthDetector(
  options: AuthDetectorOptions,
  report: (finding: Finding, ts: number) => void,
  clientKey: ClientKey = clientKeyOf,
  networkKey: ClientKey | undefined = clientKeyFor(NETWORK_PREFIX),
): AuthDetector {
  const maxKeys = options.maxKeys ?? 50_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw optionError("observe", "detectors.auth.maxKeys must be a positive integer");
  const family = (name: keyof Omit<AuthDetectorOptions, "maxKeys">, fallback: LeakyBucketSpec) => {
    const spec = options[name] ?? fallback;
    const problem = checkBucketSpec(spec, `detectors.auth.${name}`);
    if (problem) throw optionError("observe", problem);
    return new KeyedBuckets(spec, maxKeys);
  };
  const perIp = family("failuresPerIp", { capacity: 10, leakMs: 6_000 });
  const perUser = family("failuresPerUser", { capacity: 8, leakMs: 60_000 });
  const usersPerIp = family("usersPerIp", { capacity: 5, leakMs: 60_000 });
  const ipsPerUser = family("ipsPerUser", { capacity: 5, leakMs: 60_000 });
  const overall = family("usersOverall", { capacity: 40, leakMs: 1_000 });
  const perNetwork = family("usersPerNetwork", { capacity: 20, leakMs: 15_000 });
  const sustained = family("usersOverallSustained", { capacity: 120, leakMs: 6_000 });

  function observe(event: AuthEvent & { readonly account?: string | undefined }): void {
    if (event.type !== "failure") return;
    const { ip, timestamp: now } = event;
    // Buckets, distinct counts and subjects go by the account the name most likely logs into (see accountOf); the
    // evidence keeps the name as it was sent. observe() works the account out before it bounds the name.
    const user = event.account ?? authAccountKey(event.user);
    const client = clientKey(ip);
    const fire = (kind: Finding["kind"], subject: string, summary: string, bucket: string, level: number | undefined) => {
      if (level === undefined) return;
      report(
        {
          kind,
          severity: "critical",
          subject,
          summary,
          evidence: { bucket, level: Math.round(level * 10) / 10, ip, user: event.user ?? null },
        },
        now,
      );
    };
    fire("brute_force", `ip:${client}`, `Many failed logins from ${client}.`, "failuresPerIp", perIp.pour(client, now));
    if (user === undefined) return;
    fire(
      "credential_stuffing",
      `ip:${client}`,
      `${client} is trying many different accounts.`,
      "usersPerIp",
      usersPerIp.pour(client, now, user),
    );
    fire("brute_force", `user:${user}`, `Account "${user}" keeps failing to log in.`, "failuresPerUser", perUser.pour(user, now));
    fire(
      "brute_force",
      `user:${user}`,
      `Account "${user}" is being tried from many IPs.`,
      "ipsPerUser",
      ipsPerUser.pour(user, now, client),
    );
    fire(
      "credential_stuffing",
      "site",
      "Many different accounts are failing to log in at once: a credential list is being replayed.",
      "usersOverall",
      overall.pour("site", now, user),
    );
    fire(
      "credential_stuffing",
      "site",
      "Many different accounts keep failing to log in, a few a second or less from many networks: a credential list is being replayed slowly.",
      "usersOverallSustained",
      sustained.pour("site", now, user),
    );
    const network = networkKey?.(ip);
    // Only an IPv6 network wider than the client (an IPv4 address is its own key, and has no "/").
    if (network === undefined || network === client || !network.includes("/")) return;
    fire(
      "credential_stuffing",
      `net:${network}`,
      `${network} is trying many different accounts from many of its addresses.`,
      "usersPerNetwork",
      perNetwork.pour(network, now, user),
    );
  }

  return { observe };
}
