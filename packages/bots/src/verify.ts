/**
 * Verifies that a client claiming to be a search engine's crawler is one:
 * the operator's published IP ranges when the snapshot has them, otherwise
 * reverse DNS (the PTR name must be under the operator's domain) confirmed by
 * a forward lookup (that name must resolve back to the same IP), the method
 * Google, Bing and Apple document. PTR records are set by whoever owns the IP,
 * so the forward step is what stops `googlebot.com.attacker.example` tricks.
 */
import { canonicalIp } from "@parapet/core";
import type { VerifierSpec } from "./catalogue.js";
import { type IpRangeSnapshot, inPublishedRanges } from "./ip-ranges.js";
import { type BotResolver, isNegativeAnswer } from "./resolver.js";

export type Verification = "verified" | "spoofed" | "unverifiable" | "not-applicable";

export interface VerificationResult {
  readonly verification: Exclude<Verification, "not-applicable">;
  /** How it was decided: `verify:ip-range`, `verify:ptr-not-in-domain`, `verify:timeout`… */
  readonly signal: string;
  readonly host?: string;
}

export interface VerifierOptions {
  readonly resolver: BotResolver;
  readonly ipRanges: IpRangeSnapshot;
  /** The whole verification (reverse and forward) must finish within this bound, in ms. */
  readonly timeoutMs: number;
  /** How many (verifier, IP) answers to remember. */
  readonly cacheSize: number;
  /** How long a verified or spoofed answer is remembered; unverifiable answers are kept a tenth as long. */
  readonly cacheTtlMs: number;
  /**
   * Verifications allowed to run at once; a claim past it is unverifiable (`verify:busy`) and nothing is asked.
   * Default 64.
   */
  readonly maxConcurrentLookups?: number;
  readonly now: () => number;
}

export type VerifyClaim = (verifierId: string, spec: VerifierSpec, ip: string) => Promise<VerificationResult>;

const TIMEOUT = Symbol("timeout");
export const DEFAULT_MAX_CONCURRENT_LOOKUPS = 64;
const BUSY: VerificationResult = Object.freeze({ verification: "unverifiable", signal: "verify:busy" });

function endsWithDomain(host: string, domain: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return name === domain || name.endsWith(`.${domain}`);
}

export function createVerifier(options: VerifierOptions): VerifyClaim {
  const cache = new Map<string, { result: VerificationResult; expires: number }>();
  // One lookup per (verifier, IP) at a time: a crawl burst must not fan out into a DNS storm.
  const inFlight = new Map<string, Promise<VerificationResult>>();
  const maxConcurrentLookups = options.maxConcurrentLookups ?? DEFAULT_MAX_CONCURRENT_LOOKUPS;

  function remember(key: string, result: VerificationResult): void {
    const ttl = result.verification === "unverifiable" ? options.cacheTtlMs / 10 : options.cacheTtlMs;
    cache.delete(key);
    cache.set(key, { result, expires: options.now() + ttl });
    // Map keeps insertion order, so the first key is the least recently used.
    while (cache.size > options.cacheSize) cache.delete(cache.keys().next().value as string);
  }

  async function lookUp(spec: VerifierSpec, ip: string): Promise<VerificationResult> {
    if (spec.domains.length === 0) return { verification: "unverifiable", signal: "verify:no-published-method" };
    let hosts: string[];
    try {
      hosts = await options.resolver.reverse(ip);
    } catch (error) {
      return isNegativeAnswer(error)
        ? { verification: "spoofed", signal: "verify:no-ptr-record" }
        : { verification: "unverifiable", signal: "verify:reverse-dns-failed" };
    }
    const host = hosts.find((name) => spec.domains.some((domain) => endsWithDomain(name, domain)));
    if (host === undefined) return { verification: "spoofed", signal: "verify:ptr-not-in-domain" };
    let addresses: string[];
    try {
      addresses = await options.resolver.resolve(host);
    } catch (error) {
      return isNegativeAnswer(error)
        ? { verification: "spoofed", signal: "verify:forward-not-found", host }
        : { verification: "unverifiable", signal: "verify:forward-dns-failed", host };
    }
    const confirmed = addresses.some((address) => canonicalIp(address) === ip);
    return confirmed
      ? { verification: "verified", signal: "verify:forward-confirmed", host }
      : { verification: "spoofed", signal: "verify:forward-mismatch", host };
  }

  async function withDeadline(work: Promise<VerificationResult>): Promise<VerificationResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      // Not unref'd: the request awaiting this answer is real work; the timer is cleared as soon as DNS answers.
      timer = setTimeout(() => resolve(TIMEOUT), options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([work, deadline]);
      return outcome === TIMEOUT ? { verification: "unverifiable", signal: "verify:timeout" } : outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  return async function verifyClaim(verifierId, spec, rawIp) {
    const ip = canonicalIp(rawIp);
    if (ip === undefined) return { verification: "spoofed", signal: "verify:no-client-ip" };
    if (spec.ipRanges !== undefined) {
      const inRange = inPublishedRanges(options.ipRanges, spec.ipRanges, ip);
      if (inRange === true) return { verification: "verified", signal: "verify:ip-range" };
      // A published list is complete by the operator's word: outside it, and with no DNS method, the claim is false.
      if (inRange === false && spec.domains.length === 0) return { verification: "spoofed", signal: "verify:not-in-ip-ranges" };
    }
    const key = `${verifierId}|${ip}`;
    const cached = cache.get(key);
    if (cached && cached.expires > options.now()) {
      cache.delete(key);
      cache.set(key, cached);
      return cached.result;
    }
    const pending = inFlight.get(key);
    if (pending) return pending;
    // Every new IP costs DNS round trips, and a client claiming Googlebot from a rotating IPv6 /64 has 2^64 of them
    // (and answers its own PTR queries as slowly as it likes). Past the bound it is turned away without a lookup
    // and not cached: the next request from that IP may be verified once the flood passes. A slot is freed when
    // its verification settles or times out, so a resolver that never answers cannot hold one for good.
    if (inFlight.size >= maxConcurrentLookups) return BUSY;
    const work = withDeadline(
      lookUp(spec, ip).catch((): VerificationResult => ({ verification: "unverifiable", signal: "verify:resolver-error" })),
    ).then((result) => {
      inFlight.delete(key);
      remember(key, result);
      return result;
    });
    inFlight.set(key, work);
    return work;
  };
}
