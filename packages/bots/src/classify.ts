/**
 * Names the client a User-Agent claims to be, in one pass of one automaton
 * over every catalogue token. A User-Agent is a claim, not proof: this only
 * says what the client *says*; verification and header signals come after.
 *
 * This runs on every request, so the common paths allocate nothing they can
 * avoid: matches go into a reused buffer, the "looks like a person" and
 * "names exactly one known bot" answers are shared frozen objects, and an
 * optional cache remembers recent User-Agents (real traffic repeats them).
 */
import type { BotCatalogue, BotEntry } from "./catalogue.js";
import type { BotCategory } from "./categories.js";
import { createRecentCache } from "./recent-cache.js";
import { createMatchBuffer, createTokenAutomaton, parseToken, type TokenSpec } from "./token-automaton.js";
import { structuralSignals } from "./ua-structure.js";

export interface UserAgentClass {
  readonly isBot: boolean;
  /** The catalogue name of the bot, when a known product token matched. */
  readonly bot?: string;
  readonly categories: readonly BotCategory[];
  /** The verifier id when the claimed bot is one whose operator lets us verify it. */
  readonly verifier?: string;
  /** Why: `ua:bot:<name>`, `ua:token:<word>`, `ua:missing`, `ua:no-platform`… */
  readonly signals: readonly string[];
}

export type UserAgentClassifier = (userAgent: string | undefined) => UserAgentClass;

export interface UserAgentClassifierOptions {
  /**
   * Recent User-Agents whose answers are remembered (0 turns the cache off). Default 0 here; the detectBot rule
   * passes its own default. Bounded: at most twice this many entries are held.
   */
  readonly cacheSize?: number;
}

/** Browsers send ~100-300 characters; scanning is linear, but a bound keeps a hostile 1 MB header cheap. */
export const MAX_SCANNED_LENGTH = 1024;

// Parallel arrays indexed by token, one shape each: the hot loop reads them per match.
const BOT = 0;
const GENERIC = 1;
const BENIGN = 2;
const PLATFORM = 3;
const COMPATIBLE_BROWSER = 4;
const APP = 5;
/** Android's " Build/" field, found by the same scan: it tells where the device model ends (see androidModelStart). */
const ANDROID_BUILD = 6;
const ANDROID_BUILD_TOKEN = " build/";

const MISSING: UserAgentClass = Object.freeze({
  isBot: true,
  categories: Object.freeze(["UNKNOWN_AUTOMATION"] as BotCategory[]),
  signals: Object.freeze(["ua:missing"]),
});
const NO_SIGNS_OF_AUTOMATION: UserAgentClass = Object.freeze({ isBot: false, categories: Object.freeze([]), signals: Object.freeze([]) });

/**
 * Android writes the device model just before " Build/" ("Linux; Android 12; GM Discovery II+ Build/…"), and
 * vendors name phones freely ("Discovery", "X1 atom", "DROID SPYDER"): a generic word there names a phone, not a
 * tool. Returns where the model starts (after the ";" that ends the previous field), or -1 when the text
 * before " Build/" is not such a field. Named bots are still matched there: only generic words are excused.
 */
function androidModelStart(text: string, buildAt: number): number {
  for (let i = buildAt - 1; i >= 0; i--) {
    const char = text[i];
    if (char === ";") return i + 1;
    if (char === "(" || char === ")") return -1;
  }
  return -1;
}

function botClass(bot: BotEntry, signals: readonly string[]): UserAgentClass {
  return {
    isBot: true,
    bot: bot.name,
    categories: bot.categories,
    ...(bot.verify !== undefined ? { verifier: bot.verify } : {}),
    signals,
  };
}

export function createUserAgentClassifier(catalogue: BotCatalogue, options: UserAgentClassifierOptions = {}): UserAgentClassifier {
  const cacheSize = options.cacheSize ?? 0;
  if (!Number.isInteger(cacheSize) || cacheSize < 0)
    throw new Error(`createUserAgentClassifier: \`cacheSize\` must be a non-negative integer (0 turns the cache off), got ${cacheSize}`);
  const specs: TokenSpec[] = [];
  const kinds: number[] = [];
  const botOf: (BotEntry | undefined)[] = [];
  const categoryOf: (BotCategory | undefined)[] = [];
  const add = (raw: string, kind: number, bot?: BotEntry, category?: BotCategory) => {
    specs.push(parseToken(raw));
    kinds.push(kind);
    botOf.push(bot);
    categoryOf.push(category);
  };
  for (const bot of catalogue.bots) for (const token of bot.tokens) add(token, BOT, bot);
  for (const { token, category } of catalogue.generic) add(token, GENERIC, undefined, category);
  for (const token of catalogue.benign) add(token, BENIGN);
  for (const token of catalogue.platforms) add(token, PLATFORM);
  for (const token of catalogue.compatibleBrowsers) add(token, COMPATIBLE_BROWSER);
  for (const token of catalogue.apps) add(token, APP);
  add(ANDROID_BUILD_TOKEN, ANDROID_BUILD);
  const automaton = createTokenAutomaton(specs);
  const kindOf = Int32Array.from(kinds);
  const isLibrary = Uint8Array.from(botOf, (bot) => (bot?.categories.includes("HTTP_LIBRARY") ? 1 : 0));
  // Strings and answers that depend only on the token, built once instead of per request.
  const tokenSignal = specs.map((spec) => `ua:token:${spec.text}`);
  const botSignal = botOf.map((bot) => (bot ? `ua:bot:${bot.name}` : ""));
  const plainBotClass = botOf.map((bot, i) => (bot ? Object.freeze(botClass(bot, Object.freeze([botSignal[i]!]))) : undefined));
  // One buffer per classifier: classification is synchronous, so no two calls ever share it at once.
  const matches = createMatchBuffer();
  // benignFrom[e]: the smallest start of a benign match ending at or after e. A match [s, e) lies inside a benign
  // one exactly when benignFrom[e] <= s, so one pass answers it for every match. Comparing each match with every
  // benign one was quadratic in the matches: a 1 KB "wget/wget/…" plus one benign word took 0.6 ms per request.
  const benignFrom = new Int32Array(MAX_SCANNED_LENGTH + 1);

  function classifyUncached(userAgent: string | undefined): UserAgentClass {
    const trimmed = userAgent?.trim() ?? "";
    if (trimmed.length === 0) return MISSING;
    const oversized = trimmed.length > MAX_SCANNED_LENGTH;
    const scanned = oversized ? trimmed.slice(0, MAX_SCANNED_LENGTH) : trimmed;
    const count = automaton.scanInto(scanned, matches);

    let benignMatches = 0;
    let buildAt = -1;
    for (let m = 0; m < count; m++) {
      const kind = kindOf[matches.token[m]!];
      if (kind === BENIGN) benignMatches++;
      else if (kind === ANDROID_BUILD && buildAt === -1) buildAt = matches.start[m]!;
    }
    if (benignMatches > 0) {
      const length = scanned.length;
      benignFrom.fill(length + 1, 0, length + 1);
      for (let m = 0; m < count; m++) {
        const end = matches.end[m]!;
        if (kindOf[matches.token[m]!] === BENIGN && matches.start[m]! < benignFrom[end]!) benignFrom[end] = matches.start[m]!;
      }
      for (let end = length - 1; end >= 0; end--) if (benignFrom[end + 1]! < benignFrom[end]!) benignFrom[end] = benignFrom[end + 1]!;
    }

    let bestToken = -1;
    let bestLength = 0;
    let bestIsLibrary = false;
    let modelStart = -2;
    let genericCategories: BotCategory[] | undefined;
    let tokenSignals: string[] | undefined;
    let hasPlatform = false;
    let hasCompatibleBrowser = false;
    let isKnownApp = false;
    for (let m = 0; m < count; m++) {
      const token = matches.token[m]!;
      const kind = kindOf[token];
      if (kind === PLATFORM) hasPlatform = true;
      else if (kind === COMPATIBLE_BROWSER) hasCompatibleBrowser = true;
      else if (kind === APP) isKnownApp = true;
      else if (kind === ANDROID_BUILD) continue;
      else if (kind === BENIGN || (benignMatches > 0 && benignFrom[matches.end[m]!]! <= matches.start[m]!)) continue;
      else if (kind === BOT) {
        // A product that names itself is the operator; an HTTP library it mentions is only its tool
        // ("LinkedInBot/1.0 (…; Apache-HttpClient …)" is LinkedIn). Among equals, the longest product token is
        // the most specific claim ("applebot-extended" over "applebot").
        const length = matches.end[m]! - matches.start[m]!;
        const library = isLibrary[token] === 1;
        if (bestToken === -1 || (bestIsLibrary && !library) || (bestIsLibrary === library && length > bestLength)) {
          bestToken = token;
          bestLength = length;
          bestIsLibrary = library;
        }
      } else {
        if (buildAt > 0 && matches.end[m]! <= buildAt) {
          // Walked back at most once per User-Agent, and only for a generic word before " Build/".
          if (modelStart === -2) modelStart = androidModelStart(scanned, buildAt);
          if (modelStart >= 0 && matches.start[m]! >= modelStart) continue;
        }
        const category = categoryOf[token]!;
        genericCategories ??= [];
        if (!genericCategories.includes(category)) genericCategories.push(category);
        tokenSignals ??= [];
        tokenSignals.push(tokenSignal[token]!);
      }
    }

    if (bestToken !== -1) {
      if (!oversized && tokenSignals === undefined) return plainBotClass[bestToken]!;
      const signals = [botSignal[bestToken]!];
      if (oversized) signals.push("ua:oversized");
      if (tokenSignals) signals.push(...tokenSignals);
      return botClass(botOf[bestToken]!, signals);
    }
    const signals: string[] = oversized ? ["ua:oversized"] : [];
    if (tokenSignals) signals.push(...tokenSignals);
    structuralSignals(scanned.toLowerCase(), { hasPlatform, hasCompatibleBrowser, isKnownApp }, signals);
    if (signals.length === 0) return NO_SIGNS_OF_AUTOMATION;
    if (signals.length === 1 && oversized) return { isBot: true, categories: ["UNKNOWN_AUTOMATION"], signals };
    return { isBot: true, categories: genericCategories ?? ["UNKNOWN_AUTOMATION"], signals };
  }

  if (cacheSize === 0) return classifyUncached;
  const cache = createRecentCache<UserAgentClass>(cacheSize);
  return function classifyUserAgent(userAgent) {
    // Oversized strings are not kept: a cache of hostile megabyte headers would be a memory sink.
    if (userAgent === undefined || userAgent.length > MAX_SCANNED_LENGTH) return classifyUncached(userAgent);
    const known = cache.get(userAgent);
    if (known !== undefined) return known;
    const answer = classifyUncached(userAgent);
    // Cached answers are shared between requests, so nobody may change them.
    Object.freeze(answer.signals);
    cache.set(userAgent, Object.freeze(answer));
    return answer;
  };
}
