import { formatIp, maskIp, parseIp } from "@parapet/core";
import type { ArrivingDecision } from "../decision-batch.js";
import { isBot } from "../record.js";
import { DEFAULT_IPV6_PREFIX } from "./client-key.js";

/** What the streaming detectors see of one decision. */
export interface TrafficEvent {
  readonly ts: number;
  readonly ip: string;
  /** The /24 (IPv4) or IPv6 prefix (/64 by default) network: the unit of "a client" when nothing better is known (no ASN data). */
  readonly prefix: string;
  /** The API key fingerprint, else `user:<id>`, else the prefix. */
  readonly client: string;
  readonly authenticated: boolean;
  readonly bot: boolean;
  readonly denied: boolean;
  readonly errored: boolean;
  readonly attack: boolean;
  readonly path: string;
}

export function toTrafficEvent(
  decision: Pick<ArrivingDecision, "ts" | "ip" | "path" | "apiKey" | "userId" | "botClass" | "attackClass" | "denied" | "conclusion">,
  ipv6Prefix = DEFAULT_IPV6_PREFIX,
): TrafficEvent {
  const prefix = prefixOf(decision.ip, ipv6Prefix);
  const client = decision.apiKey ?? (decision.userId !== null ? `user:${decision.userId}` : prefix);
  return {
    ts: decision.ts,
    ip: decision.ip,
    prefix,
    client,
    authenticated: decision.apiKey !== null || decision.userId !== null,
    bot: isBot(decision.botClass),
    denied: decision.denied,
    errored: decision.conclusion === "ERROR",
    attack: decision.attackClass !== null,
    path: decision.path,
  };
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** `ip`'s /24, or for IPv6 its `ipv6Prefix` network (observe's option, as core's: one host owns the whole prefix). */
export function prefixOf(ip: string, ipv6Prefix = DEFAULT_IPV6_PREFIX): string {
  // Decisions carry canonical addresses, so a dotted quad's /24 is a string cut (no parse on the common case).
  if (DOTTED_QUAD.test(ip)) return `${ip.slice(0, ip.lastIndexOf("."))}.0/24`;
  const parsed = parseIp(ip);
  if (!parsed) return ip;
  const length = parsed.bytes.length === 4 ? 24 : ipv6Prefix;
  return `${formatIp(maskIp(parsed, length))}/${length}`;
}
