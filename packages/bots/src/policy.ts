/**
 * Which bots a site lets in. Entries are bot names from the catalogue
 * ("curl", "Googlebot") or categories ("CATEGORY:SEARCH_ENGINE"). Checked
 * against the catalogue at construction, so a typo fails loudly instead of
 * silently letting everything through.
 */
import { optionError } from "@parapet/core";
import type { BotCatalogue } from "./catalogue.js";
import { BOT_CATEGORIES, type BotCategory, isBotCategory } from "./categories.js";

export interface BotPolicy {
  /** Automated clients matching one of these are allowed; every other one is denied. */
  readonly allow?: readonly string[];
  /** Only automated clients matching one of these are denied. */
  readonly deny?: readonly string[];
}

export interface CompiledPolicy {
  /** True when a client with this name and these categories must be denied. */
  denies(bot: string | undefined, categories: readonly BotCategory[]): boolean;
}

const CATEGORY_PREFIX = "CATEGORY:";

/**
 * What Parapet recommends for a public site or API: search engines, uptime
 * monitors and link previews in; scrapers, AI crawlers, HTTP libraries,
 * headless browsers and scanners out.
 */
export const DEFAULT_BOT_POLICY = {
  allow: ["CATEGORY:SEARCH_ENGINE", "CATEGORY:MONITOR", "CATEGORY:SOCIAL_PREVIEW"],
} as const satisfies BotPolicy;

/**
 * The default policy plus `curl`: for a demo or a developer API, where people
 * try the service from a terminal. python-requests, Go, scrapers, headless
 * browsers and scanners stay out.
 */
export const DEMO_BOT_POLICY = {
  allow: [...DEFAULT_BOT_POLICY.allow, "curl"],
} as const satisfies BotPolicy;

export function compilePolicy(policy: BotPolicy, catalogue: BotCatalogue, where: string): CompiledPolicy {
  if (policy.allow !== undefined && policy.deny !== undefined) {
    throw optionError(where, "`allow` and `deny` cannot be provided together: list the bots to let in, or the bots to keep out");
  }
  const list = policy.allow ?? policy.deny ?? [];
  if (!Array.isArray(list)) throw optionError(where, '`allow`/`deny` must be an array such as ["CATEGORY:SEARCH_ENGINE", "curl"]');
  const names = new Map(catalogue.bots.map((bot) => [bot.name.toLowerCase(), bot.name]));
  const categories = new Set<BotCategory>();
  const bots = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== "string") throw optionError(where, `\`allow\`/\`deny\` entries must be strings, got ${JSON.stringify(entry)}`);
    if (entry.startsWith(CATEGORY_PREFIX)) {
      const category = entry.slice(CATEGORY_PREFIX.length);
      if (!isBotCategory(category))
        throw optionError(where, `unknown category "${entry}"; use one of ${BOT_CATEGORIES.map((c) => CATEGORY_PREFIX + c).join(", ")}`);
      categories.add(category);
    } else {
      const known = names.get(entry.toLowerCase());
      if (known === undefined)
        throw optionError(where, `unknown bot "${entry}"; use a name from data/bots.json (e.g. "curl", "Googlebot") or "CATEGORY:…"`);
      bots.add(known);
    }
  }
  const matches = (bot: string | undefined, botCategories: readonly BotCategory[]) =>
    (bot !== undefined && bots.has(bot)) || botCategories.some((category) => categories.has(category));
  const denyListed = policy.deny !== undefined;
  return {
    denies: (bot, botCategories) => (denyListed ? matches(bot, botCategories) : !matches(bot, botCategories)),
  };
}
