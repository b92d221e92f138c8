/**
 * Names the client a User-Agent claims to be, in one pass of one automaton
 * over every catalogue token. A User-Agent is a claim, not proof: this only
 * says what the client *says*; verification and header signals come after.
 */
import type { BotCatalogue, BotEntry } from "./catalogue.js";
import type { BotCategory } from "./categories.js";
import { createTokenAutomaton, parseToken, type TokenMatch, type TokenSpec } from "./token-automaton.js";
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

/** Browsers send ~100-300 characters; scanning is linear, but a bound keeps a hostile 1 MB header cheap. */
export const MAX_SCANNED_LENGTH = 1024;

// Parallel arrays indexed by token, one shape each: the hot loop reads them per match.
const BOT = 0;
const GENERIC = 1;
const BENIGN = 2;
const PLATFORM = 3;
const COMPATIBLE_BROWSER = 4;
const APP = 5;

export function createUserAgentClassifier(catalogue: BotCatalogue): UserAgentClassifier {
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
  const automaton = createTokenAutomaton(specs);

  return function classifyUserAgent(userAgent) {
    const trimmed = userAgent?.trim() ?? "";
    if (trimmed.length === 0) return { isBot: true, categories: ["UNKNOWN_AUTOMATION"], signals: ["ua:missing"] };
    const signals: string[] = [];
    if (trimmed.length > MAX_SCANNED_LENGTH) signals.push("ua:oversized");
    const scanned = trimmed.length > MAX_SCANNED_LENGTH ? trimmed.slice(0, MAX_SCANNED_LENGTH) : trimmed;
    const matches = automaton.scan(scanned);

    const benignSpans: TokenMatch[] = [];
    for (const match of matches) if (kinds[match.token] === BENIGN) benignSpans.push(match);
    const insideBenign = (start: number, end: number) => benignSpans.some((b) => b.start <= start && end <= b.end);

    let best: { bot: BotEntry; length: number } | undefined;
    const genericCategories = new Set<BotCategory>();
    let hasPlatform = false;
    let hasCompatibleBrowser = false;
    let isKnownApp = false;
    for (const match of matches) {
      const kind = kinds[match.token];
      if (kind === PLATFORM) hasPlatform = true;
      else if (kind === COMPATIBLE_BROWSER) hasCompatibleBrowser = true;
      else if (kind === APP) isKnownApp = true;
      else if (kind === BENIGN || insideBenign(match.start, match.end)) continue;
      else if (kind === BOT) {
        // The longest product token is the most specific claim ("applebot-extended" over "applebot").
        const length = match.end - match.start;
        if (!best || length > best.length) best = { bot: botOf[match.token]!, length };
      } else {
        genericCategories.add(categoryOf[match.token]!);
        signals.push(`ua:token:${specs[match.token]!.text}`);
      }
    }

    if (best) {
      return {
        isBot: true,
        bot: best.bot.name,
        categories: best.bot.categories,
        ...(best.bot.verify !== undefined ? { verifier: best.bot.verify } : {}),
        signals: [`ua:bot:${best.bot.name}`, ...signals],
      };
    }
    signals.push(...structuralSignals(scanned.toLowerCase(), { hasPlatform, hasCompatibleBrowser, isKnownApp }));
    if (signals.length === 0 || (signals.length === 1 && signals[0] === "ua:oversized")) {
      return { isBot: signals.length === 1, categories: signals.length === 1 ? ["UNKNOWN_AUTOMATION"] : [], signals };
    }
    const categories = genericCategories.size > 0 ? [...genericCategories] : (["UNKNOWN_AUTOMATION"] as BotCategory[]);
    return { isBot: true, categories, signals };
  };
}
