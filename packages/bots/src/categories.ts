/** What kind of automated client a bot is. Policies allow or deny by these (`CATEGORY:SEARCH_ENGINE`). */
export const BOT_CATEGORIES = [
  "SEARCH_ENGINE",
  "AI_CRAWLER",
  "AI_ASSISTANT",
  "SOCIAL_PREVIEW",
  "MONITOR",
  "SEO",
  "ARCHIVER",
  "FEED_READER",
  "HTTP_LIBRARY",
  "HEADLESS_BROWSER",
  "VULNERABILITY_SCANNER",
  "ADVERTISING",
  "SCRAPER",
  "UNKNOWN_AUTOMATION",
] as const;

export type BotCategory = (typeof BOT_CATEGORIES)[number];

export function isBotCategory(value: unknown): value is BotCategory {
  return typeof value === "string" && (BOT_CATEGORIES as readonly string[]).includes(value);
}
