/**
 * Names the client a User-Agent claims to be, in one pass of one automaton
 * over every catalogue token. A User-Agent is a claim, not proof: this only
 * says what the client *says*; verification and header signals come after.
 */
import type { BotCatalogue, BotEntry } from "./catalogue.js";
import type { BotCategory } from "./categories.js";
import { createTokenAutomaton, parseToken, type TokenSpec } from "./token-automaton.js";

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

type Kind = "bot" | "generic" | "benign" | "platform" | "compatibleBrowser";
interface Owner {
  readonly kind: Kind;
  readonly bot?: BotEntry;
  readonly category?: BotCategory;
  readonly text: string;
}

export function createUserAgentClassifier(catalogue: BotCatalogue): UserAgentClassifier {
  const specs: TokenSpec[] = [];
  const owners: Owner[] = [];
  const add = (raw: string, owner: Omit<Owner, "text">) => {
    const spec = parseToken(raw);
    specs.push(spec);
    owners.push({ ...owner, text: spec.text });
  };
  for (const bot of catalogue.bots) for (const token of bot.tokens) add(token, { kind: "bot", bot });
  for (const { token, category } of catalogue.generic) add(token, { kind: "generic", category });
  for (const token of catalogue.benign) add(token, { kind: "benign" });
  for (const token of catalogue.platforms) add(token, { kind: "platform" });
  for (const token of catalogue.compatibleBrowsers) add(token, { kind: "compatibleBrowser" });
  const automaton = createTokenAutomaton(specs);

  return function classifyUserAgent(userAgent) {
    const trimmed = userAgent?.trim() ?? "";
    if (trimmed.length === 0) return { isBot: true, categories: ["UNKNOWN_AUTOMATION"], signals: ["ua:missing"] };
    const signals: string[] = [];
    if (trimmed.length > MAX_SCANNED_LENGTH) signals.push("ua:oversized");
    const text = trimmed.slice(0, MAX_SCANNED_LENGTH).toLowerCase();
    const matches = automaton.scan(text);

    const benignSpans = matches.filter((m) => owners[m.token]!.kind === "benign");
    const insideBenign = (start: number, end: number) => benignSpans.some((b) => b.start <= start && end <= b.end);

    let best: { bot: BotEntry; length: number } | undefined;
    const genericCategories = new Set<BotCategory>();
    let hasPlatform = false;
    let hasCompatibleBrowser = false;
    for (const match of matches) {
      const owner = owners[match.token]!;
      if (owner.kind === "platform") hasPlatform = true;
      else if (owner.kind === "compatibleBrowser") hasCompatibleBrowser = true;
      else if (owner.kind === "benign" || insideBenign(match.start, match.end)) continue;
      else if (owner.kind === "bot") {
        // The longest product token is the most specific claim ("applebot-extended" over "applebot").
        if (!best || owner.text.length > best.length) best = { bot: owner.bot!, length: owner.text.length };
      } else if (owner.kind === "generic") {
        genericCategories.add(owner.category!);
        signals.push(`ua:token:${owner.text}`);
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
    if (!text.includes("(") && !hasPlatform) signals.push("ua:no-platform");
    // "Mozilla/5.0 (compatible; Name/1.0)" is how crawlers announce themselves; of browsers only old IE writes it.
    if (text.includes("compatible;") && !hasCompatibleBrowser && !hasPlatform && !/(?:gecko|webkit|presto)/.test(text)) signals.push("ua:compatible-not-a-browser");
    if (/@[a-z0-9-]+\./.test(text)) signals.push("ua:contact-address");
    // Browsers start with their product token; a prefix before "Mozilla/" is a tool wrapping or faking one.
    const mozilla = text.indexOf("mozilla/");
    if (mozilla > 0 && (text[mozilla - 1] === "|" || text[mozilla - 2] === ",")) signals.push("ua:prefixed-mozilla");
    if (signals.length === 0 || (signals.length === 1 && signals[0] === "ua:oversized")) {
      return { isBot: signals.length === 1, categories: signals.length === 1 ? ["UNKNOWN_AUTOMATION"] : [], signals };
    }
    const categories = genericCategories.size > 0 ? [...genericCategories] : (["UNKNOWN_AUTOMATION"] as BotCategory[]);
    return { isBot: true, categories, signals };
  };
}
