import { createHash } from "node:crypto";
import type { RuleResult } from "@parapet/core";
import type { BoundedMap } from "./sketch/bounded-map.js";
import { detached } from "./worker/packed-strings.js";

/** What a decision's rule results say beyond the results themselves: the columns read from them. */
export interface ResultClasses {
  /** The deciding rule: the first LIVE denial, else the first error. */
  readonly ruleId: string | null;
  readonly botClass: string | null;
  readonly attackClass: string | null;
}

/** A lone allowing rule that is not a bot or attack rule: what every compactly stored decision has (see results-codec.ts). */
export const NO_CLASSES: ResultClasses = { ruleId: null, botClass: null, attackClass: null };

// Bounds on attacker-controlled text: a log row must not grow with the request.
const MAX_ID = 128;

/** Bot classes that mean "a person": these do not count as bots in rollups or detectors. */
const HUMAN_CLASSES = new Set(["human", "browser", "none", "not_bot", "NOT_BOT", "HUMAN"]);

export function classesOf(results: readonly RuleResult[]): ResultClasses {
  const decidingRule = results.find((r) => r.mode === "LIVE" && r.conclusion === "DENY") ?? results.find((r) => r.conclusion === "ERROR");
  return { ruleId: decidingRule?.ruleId ?? null, botClass: classOf(results, "bot"), attackClass: classOf(results, "attack") };
}

/** The same few keys come back on every request: hashing each once saves a SHA-256 per decision. */
export function cachedFingerprint(apiKey: string, cache: BoundedMap<string, string>): string {
  let value = cache.peek(apiKey);
  if (value === undefined) {
    value = fingerprint(apiKey);
    // The key may be a slice of a whole batch's text (see packed-strings.ts): the cache keeps a copy of its own.
    cache.set(detached(apiKey), value);
  }
  return value;
}

/**
 * API keys are secrets: the log keeps `k_` + the first 16 hex digits of their
 * SHA-256, enough to tell keys apart and to look one up, useless to replay.
 */
export function fingerprint(apiKey: string): string {
  return `k_${createHash("sha256").update(apiKey).digest("hex").slice(0, 16)}`;
}

export function isBot(botClass: string | null): boolean {
  return botClass !== null && !HUMAN_CLASSES.has(botClass);
}

/**
 * Bot and attack classes come from rule results, read structurally so this
 * package does not import the bot or shield packages: a result whose rule type
 * mentions BOT (or SHIELD/ATTACK) and whose reason carries a string
 * `botClass`/`category`/`class` (or `attack`/`category`/`class`), or, for bots,
 * a `categories` list: @parapet/bots' detectBot names what it found that way
 * (`categories: ["HTTP_LIBRARY"]`, empty for a person), allowed or denied. A
 * denying shield with no such field is recorded by its rule type.
 */
export const BOT_TYPE = /BOT/i;
export const ATTACK_TYPE = /SHIELD|ATTACK|WAF/i;
const BOT_FIELDS = ["botClass", "category", "class", "verdict"] as const;
export const ATTACK_FIELDS = ["attack", "attackClass", "category", "class"] as const;

function classOf(results: readonly RuleResult[], kind: "bot" | "attack"): string | null {
  const typePattern = kind === "bot" ? BOT_TYPE : ATTACK_TYPE;
  const fields = kind === "bot" ? BOT_FIELDS : ATTACK_FIELDS;
  for (const result of results) {
    if (!typePattern.test(result.ruleType)) continue;
    const reason = result.reason as unknown as Record<string, unknown>;
    for (const field of fields) {
      const value = reason[field];
      if (typeof value === "string" && value.length > 0) return clip(value, MAX_ID);
    }
    if (kind === "bot") {
      const first = Array.isArray(reason.categories) ? reason.categories[0] : undefined;
      if (typeof first === "string" && first.length > 0) return clip(first, MAX_ID);
    }
    if (kind === "attack" && result.conclusion === "DENY") return result.ruleType;
  }
  return null;
}

function clip(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return value.length > max ? value.slice(0, max) : value;
}
