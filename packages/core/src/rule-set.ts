import type { Characteristic } from "./characteristics.js";
import { optionError } from "./errors.js";
import { RATE_LIMIT, rateLimitInternals } from "./rules/rate-limit.js";
import type { Mode, Rule } from "./types.js";

/**
 * RateLimit names the policy closest to its limit by name, so the names in one
 * response must differ (two unnamed one-minute windows were both "fixed-60s").
 * An unnamed rule whose generated name is taken gets "-2", "-3"…; two LIVE
 * rules the app gave one name are refused, since the app chose the name.
 */
export function nameUniquely(forcedMode: Mode | undefined, rules: readonly Rule[]): Rule[] {
  const taken = new Set<string>();
  const live = new Set<string>();
  for (const rule of rules) {
    if (rule.type !== RATE_LIMIT || rule.name === undefined || rateLimitInternals(rule)?.named === false) continue;
    const inHeaders = forcedMode !== "DRY_RUN" && rule.mode === "LIVE";
    if (inHeaders && live.has(rule.name)) {
      throw optionError(
        "parapet",
        `two LIVE rate limits in one client are named "${rule.name}": the RateLimit header names the policy a client is closest to by its name, so give each its own name (e.g. "${rule.name}-minute" and "${rule.name}-hour")`,
      );
    }
    if (inHeaders) live.add(rule.name);
    taken.add(rule.name);
  }
  return rules.map((rule) => {
    const info = rateLimitInternals(rule);
    if (info === undefined || info.named || rule.name === undefined) return rule;
    let name = rule.name;
    for (let n = 2; taken.has(name); n++) name = `${rule.name}-${n}`;
    taken.add(name);
    return name === rule.name ? rule : info.renamed(name);
  });
}

/**
 * Two rules of one client counting on the same state (one rate limit twice, or
 * two with one name, algorithm and window) would count every request twice on
 * one counter. Rate limits counting by different characteristics keep apart
 * (their keys differ), so they are not refused.
 */
export function refuseSharedState(rules: readonly Rule[], characteristics: readonly Characteristic[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.stateId === undefined) continue;
    const info = rateLimitInternals(rule);
    const state = info === undefined ? rule.stateId : `${rule.stateId}|${(info.characteristics ?? characteristics).join(",")}`;
    if (seen.has(state)) {
      throw optionError(
        "parapet",
        `two rules count on the same state (${rule.stateId}): give each rate limit its own \`name\`, or keep one of them`,
      );
    }
    seen.add(state);
  }
}
