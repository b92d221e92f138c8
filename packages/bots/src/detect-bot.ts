/**
 * `detectBot()`: the rule that lets search engines and monitors in and keeps
 * scrapers, scanners and scripts out. Three layers, cheapest first:
 * 1. the User-Agent against the catalogue (one automaton pass, no I/O);
 * 2. for browser-looking User-Agents, the other headers (a copied Chrome
 *    string does not bring Chrome's headers with it);
 * 3. for clients claiming a verifiable crawler, reverse + forward DNS or the
 *    operator's IP ranges. Only this step does I/O, bounded and cached.
 */
import { type Mode, optionError, type Reason, type Rule, type RuleContext, type RuleEvaluation } from "@parapet/core";
import { type BotCatalogue, bundledCatalogue } from "./catalogue.js";
import type { BotCategory } from "./categories.js";
import { createUserAgentClassifier } from "./classify.js";
import { createDnsResolver } from "./dns-resolver.js";
import { browserHeaderSignals } from "./header-signals.js";
import { bundledIpRanges, type IpRangeSnapshot } from "./ip-ranges.js";
import { type BotPolicy, compilePolicy } from "./policy.js";
import type { BotResolver } from "./resolver.js";
import { createVerifier, DEFAULT_MAX_CONCURRENT_LOOKUPS, type Verification } from "./verify.js";

export interface BotReason extends Reason {
  readonly type: "BOT";
  /** The catalogue name of the bot, when the client named a known product. */
  readonly bot?: string;
  readonly categories: readonly BotCategory[];
  readonly verification: Verification;
  /** Everything that pointed to automation: `ua:bot:curl`, `headers:missing-accept-language`, `verify:ptr-not-in-domain`… */
  readonly signals: readonly string[];
}

export interface DetectBotOptions extends BotPolicy {
  readonly mode?: Mode;
  readonly name?: string;
  /** What to do with a client that claims a verifiable crawler and fails verification. Default "deny". */
  readonly spoofed?: "deny" | "policy";
  /**
   * What to do when verification could not finish (DNS timeout or failure).
   * Default "deny": whoever owns an IP controls its PTR server and can make it
   * time out, so "allow on timeout" would let anyone in as Googlebot. Real
   * crawlers retry. "policy" treats the claim as if it were true.
   */
  readonly unverifiable?: "deny" | "policy";
  /** Check the other headers of browser-looking requests. Default true. */
  readonly headerSignals?: boolean;
  /** A browser-looking request whose header signals weigh this much or more is treated as automation. Default 2. */
  readonly signalThreshold?: number;
  readonly catalogue?: BotCatalogue;
  readonly ipRanges?: IpRangeSnapshot;
  /** Default: node:dns with the system's name servers. */
  readonly resolver?: BotResolver;
  /** Bound on one verification (reverse and forward lookups together), in ms. Default 500. */
  readonly dnsTimeoutMs?: number;
  /**
   * User-Agent classifications remembered (0 turns it off). Real traffic repeats a few hundred browser strings,
   * so most requests skip the scan. Default 1,024; at most twice this many are held.
   */
  readonly userAgentCacheSize?: number;
  /**
   * Verifications (reverse and forward DNS) running at once. A claim past it is unverifiable (`verify:busy`), so
   * a flood of fake crawlers from fresh IPs cannot fan out into unbounded DNS work. Default 64.
   */
  readonly maxConcurrentLookups?: number;
  /** Verification answers remembered (LRU). Default 10,000. */
  readonly cacheSize?: number;
  /** How long a verification answer is remembered, in ms. Default one hour. */
  readonly cacheTtlMs?: number;
}

const WHERE = "detectBot";

function positiveInteger(value: number | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > max)
    throw optionError(WHERE, `\`${name}\` must be an integer between 1 and ${max}`);
  return value;
}

function oneOf<T extends string>(value: T | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw optionError(WHERE, `\`${name}\` must be ${allowed.map((a) => `"${a}"`).join(" or ")}`);
  return value;
}

export function detectBot(options: DetectBotOptions = {}): Rule {
  if (!options || typeof options !== "object") throw optionError(WHERE, "pass an options object, e.g. detectBot(DEFAULT_BOT_POLICY)");
  const mode = oneOf(options.mode, "mode", ["LIVE", "DRY_RUN"], "LIVE");
  const onSpoofed = oneOf(options.spoofed, "spoofed", ["deny", "policy"], "deny");
  const onUnverifiable = oneOf(options.unverifiable, "unverifiable", ["deny", "policy"], "deny");
  const threshold = options.signalThreshold ?? 2;
  if (typeof threshold !== "number" || !(threshold > 0))
    throw optionError(WHERE, "`signalThreshold` must be a positive number (default 2)");
  if (options.name !== undefined && (typeof options.name !== "string" || options.name.length === 0))
    throw optionError(WHERE, "`name` must be a non-empty string");
  const catalogue = options.catalogue ?? bundledCatalogue();
  const policy = compilePolicy(options, catalogue, WHERE);
  const userAgentCacheSize = options.userAgentCacheSize ?? 1024;
  if (!Number.isInteger(userAgentCacheSize) || userAgentCacheSize < 0 || userAgentCacheSize > 10_000_000)
    throw optionError(WHERE, "`userAgentCacheSize` must be an integer between 0 (no cache) and 10000000 (default 1024)");
  const classify = createUserAgentClassifier(catalogue, { cacheSize: userAgentCacheSize });
  const checkHeaders = options.headerSignals ?? true;
  let verify: ReturnType<typeof createVerifier> | undefined;
  let clock: RuleContext["clock"] | undefined;
  const verifierOptions = {
    resolver: options.resolver,
    ipRanges: options.ipRanges,
    timeoutMs: positiveInteger(options.dnsTimeoutMs, "dnsTimeoutMs", 500, 30_000),
    cacheSize: positiveInteger(options.cacheSize, "cacheSize", 10_000, 10_000_000),
    cacheTtlMs: positiveInteger(options.cacheTtlMs, "cacheTtlMs", 3_600_000, 7 * 86_400_000),
    maxConcurrentLookups: positiveInteger(options.maxConcurrentLookups, "maxConcurrentLookups", DEFAULT_MAX_CONCURRENT_LOOKUPS, 100_000),
  };

  function reason(fields: Omit<BotReason, "type">): BotReason {
    return { type: "BOT", ...fields };
  }

  return {
    type: "BOT",
    ...(options.name !== undefined ? { name: options.name } : {}),
    mode,
    // Local string work; the DNS step only runs for clients claiming a verifiable crawler.
    cost: 5,
    async evaluate(context: RuleContext): Promise<RuleEvaluation> {
      const { request } = context;
      const userAgent = request.header("user-agent");
      const claim = classify(userAgent);
      let isBot = claim.isBot;
      let categories = claim.categories;
      // A fresh copy: the classifier's answers may be cached and shared, and the reason below is the caller's.
      const signals = claim.signals.slice();
      if (!isBot && checkHeaders && userAgent !== undefined) {
        const found = browserHeaderSignals(userAgent, request.headers, context.clock.now());
        if (found.length > 0) {
          let weight = 0;
          for (const signal of found) {
            signals.push(signal.name);
            weight += signal.weight;
          }
          if (weight >= threshold) {
            isBot = true;
            categories = ["UNKNOWN_AUTOMATION"];
            signals.push("headers:browser-claim-does-not-fit");
          }
        }
      }
      if (!isBot) {
        return {
          conclusion: "ALLOW",
          reason: reason({ message: "No automated client detected.", categories, verification: "not-applicable", signals }),
        };
      }
      const bot = claim.bot;
      const label = bot ?? categories.join(", ").toLowerCase().replaceAll("_", " ");
      const named = bot !== undefined ? { bot } : {};
      const denied = policy.denies(bot, categories);
      if (claim.verifier === undefined || denied) {
        if (claim.verifier !== undefined) signals.push("verify:skipped-denied-by-policy");
        const message = denied ? `Automated client denied: ${label} (${categories.join(", ")}).` : `Automated client allowed: ${label}.`;
        // Written out rather than spread: this is the path every unverifiable bot request takes.
        const botReason: BotReason =
          bot !== undefined
            ? { type: "BOT", message, bot, categories, verification: "not-applicable", signals }
            : { type: "BOT", message, categories, verification: "not-applicable", signals };
        return { conclusion: denied ? "DENY" : "ALLOW", reason: botReason };
      }

      // The clock of the client deciding now (a rule may serve several); a closure over `context` would keep the
      // first request that verified alive, body and all, for as long as the rule lives.
      clock = context.clock;
      verify ??= createVerifier({
        resolver: verifierOptions.resolver ?? createDnsResolver(),
        ipRanges: verifierOptions.ipRanges ?? bundledIpRanges(),
        timeoutMs: verifierOptions.timeoutMs,
        cacheSize: verifierOptions.cacheSize,
        cacheTtlMs: verifierOptions.cacheTtlMs,
        maxConcurrentLookups: verifierOptions.maxConcurrentLookups,
        now: () => (clock as RuleContext["clock"]).now(),
      });
      const spec = catalogue.verifiers[claim.verifier]!;
      const result = await verify(claim.verifier, spec, request.ip);
      signals.push(result.signal);
      const base = { ...named, categories, verification: result.verification, signals };
      if (result.verification === "verified") {
        return { conclusion: "ALLOW", reason: reason({ message: `Verified ${label}${result.host ? ` (${result.host})` : ""}.`, ...base }) };
      }
      if (result.verification === "spoofed" && onSpoofed === "deny") {
        return { conclusion: "DENY", reason: reason({ message: `Claims to be ${label} but is not: ${result.signal}.`, ...base }) };
      }
      if (result.verification === "unverifiable" && onUnverifiable === "deny") {
        return {
          conclusion: "DENY",
          reason: reason({ message: `Claims to be ${label} and could not be verified: ${result.signal}.`, ...base }),
        };
      }
      return { conclusion: "ALLOW", reason: reason({ message: `Automated client allowed unverified: ${label}.`, ...base }) };
    },
  };
}
