export { type BotCatalogue, type BotEntry, bundledCatalogue, type GenericToken, parseCatalogue, type VerifierSpec } from "./catalogue.js";
export { BOT_CATEGORIES, type BotCategory, isBotCategory } from "./categories.js";
export {
  createUserAgentClassifier,
  MAX_SCANNED_LENGTH,
  type UserAgentClass,
  type UserAgentClassifier,
  type UserAgentClassifierOptions,
} from "./classify.js";
export { type BotReason, type DetectBotOptions, detectBot } from "./detect-bot.js";
export { createDnsResolver, type DnsResolverOptions } from "./dns-resolver.js";
export { browserHeaderSignals, type HeaderSignal, parseBrowserClaim } from "./header-signals.js";
export { bundledIpRanges, type IpRangeSnapshot, inPublishedRanges, parseIpRangeSnapshot } from "./ip-ranges.js";
export { type BotPolicy, type CompiledPolicy, compilePolicy, DEFAULT_BOT_POLICY, DEMO_BOT_POLICY } from "./policy.js";
export type { BotResolver } from "./resolver.js";
export { createTokenAutomaton, parseToken, type TokenAutomaton, type TokenMatch, type TokenSpec } from "./token-automaton.js";
export { createVerifier, type Verification, type VerificationResult, type VerifierOptions, type VerifyClaim } from "./verify.js";
