/**
 * The catalogue of known bots is data (`data/bots.json`), so it can be
 * refreshed without touching code. It is read and validated once; a broken
 * file fails loudly at construction, never on a request.
 */
import { readFileSync } from "node:fs";
import { optionError } from "@parapet/core";
import { type BotCategory, isBotCategory } from "./categories.js";

export interface BotEntry {
  readonly name: string;
  readonly categories: readonly BotCategory[];
  /** Lowercase substrings of the User-Agent that name this bot (`^` anchors at the start, `\b` asks for a word boundary). */
  readonly tokens: readonly string[];
  /** The verifier id, for bots whose operator publishes a way to check a claim (reverse DNS, IP ranges). */
  readonly verify?: string;
}

export interface VerifierSpec {
  /** A verified host name ends with one of these domains (`crawl-66-249-66-1.googlebot.com`). */
  readonly domains: readonly string[];
  /** The name of a published IP range list in the ranges snapshot, when the operator publishes one. */
  readonly ipRanges?: string;
}

export interface GenericToken {
  readonly token: string;
  readonly category: BotCategory;
}

export interface BotCatalogue {
  readonly updated: string;
  readonly bots: readonly BotEntry[];
  readonly verifiers: Readonly<Record<string, VerifierSpec>>;
  /** Words that mark automation without naming a product ("crawler", "http client"). */
  readonly generic: readonly GenericToken[];
  /** Words in which a generic token means nothing (a "bot" inside the phone brand "cubot"). */
  readonly benign: readonly string[];
  /** Platform names that human clients put in their User-Agent. */
  readonly platforms: readonly string[];
  /** Browsers that legitimately say "compatible;" (old Internet Explorer). */
  readonly compatibleBrowsers: readonly string[];
  /** Product tokens of people's apps that send a bare "Name/version" with no platform ("GoogleApp/14.35"). */
  readonly apps: readonly string[];
}

const WHERE = "bot catalogue";

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.length === 0)) {
    throw optionError(WHERE, `\`${field}\` must be an array of non-empty strings; fix data/bots.json or the catalogue you passed`);
  }
  return value as string[];
}

/** Two or more labels of letters, digits and hyphens, once lowercased and without the root's trailing dot. */
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A verifier domain as PTR names are compared with it: lowercase, no trailing dot. Written "Googlebot.com" or
 * "googlebot.com." it would otherwise match no PTR name, and every real crawler would be called spoofed. A single
 * label ("com") is refused: anyone can own a name under a top-level domain and make it resolve back to their IP.
 */
function verifierDomain(raw: string, field: string): string {
  const domain = raw.toLowerCase().replace(/\.$/, "");
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    throw optionError(
      WHERE,
      `\`${field}\` has ${JSON.stringify(raw)}, which is not an operator's domain; write one such as "googlebot.com" (PTR names must end with it)`,
    );
  }
  return domain;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw optionError(WHERE, `\`${field}\` must be an object`);
  return value as Record<string, unknown>;
}

/** Validates a parsed catalogue; throws a `PARAPET_E_INVALID_OPTION` error naming the bad field. */
export function parseCatalogue(input: unknown): BotCatalogue {
  const root = record(input, "catalogue");
  const verifiers: Record<string, VerifierSpec> = {};
  for (const [id, raw] of Object.entries(record(root.verifiers ?? {}, "verifiers"))) {
    const spec = record(raw, `verifiers.${id}`);
    const ipRanges = spec.ipRanges;
    if (ipRanges !== undefined && typeof ipRanges !== "string") throw optionError(WHERE, `\`verifiers.${id}.ipRanges\` must be a string`);
    const field = `verifiers.${id}.domains`;
    const domains = stringList(spec.domains ?? [], field).map((domain) => verifierDomain(domain, field));
    verifiers[id] = { domains, ...(ipRanges ? { ipRanges } : {}) };
  }
  if (!Array.isArray(root.bots)) throw optionError(WHERE, "`bots` must be an array of { name, categories, tokens }");
  const bots = root.bots.map((raw: unknown, index: number): BotEntry => {
    const entry = record(raw, `bots[${index}]`);
    if (typeof entry.name !== "string" || entry.name.length === 0) throw optionError(WHERE, `\`bots[${index}].name\` must be a string`);
    const categories = stringList(entry.categories, `bots[${index}].categories`);
    const bad = categories.find((c) => !isBotCategory(c));
    if (bad !== undefined || categories.length === 0)
      throw optionError(WHERE, `bot "${entry.name}" has an unknown category "${bad ?? ""}"`);
    if (entry.verify !== undefined && (typeof entry.verify !== "string" || !verifiers[entry.verify])) {
      throw optionError(WHERE, `bot "${entry.name}" names verifier "${String(entry.verify)}", which \`verifiers\` does not define`);
    }
    return {
      name: entry.name,
      categories: categories as BotCategory[],
      tokens: stringList(entry.tokens, `bots[${index}].tokens`),
      ...(typeof entry.verify === "string" ? { verify: entry.verify } : {}),
    };
  });
  if (!Array.isArray(root.generic)) throw optionError(WHERE, "`generic` must be an array of { token, category }");
  const generic = root.generic.map((raw: unknown, index: number): GenericToken => {
    const entry = record(raw, `generic[${index}]`);
    if (typeof entry.token !== "string" || entry.token.length === 0 || !isBotCategory(entry.category)) {
      throw optionError(WHERE, `\`generic[${index}]\` must be { token: non-empty string, category: a BotCategory }`);
    }
    return { token: entry.token, category: entry.category };
  });
  return {
    updated: typeof root.updated === "string" ? root.updated : "unknown",
    bots,
    verifiers,
    generic,
    benign: stringList(root.benign ?? [], "benign"),
    platforms: stringList(root.platforms ?? [], "platforms"),
    compatibleBrowsers: stringList(root.compatibleBrowsers ?? [], "compatibleBrowsers"),
    apps: stringList(root.apps ?? [], "apps"),
  };
}

let bundled: BotCatalogue | undefined;

/** The catalogue shipped in `data/bots.json`, read once. */
export function bundledCatalogue(): BotCatalogue {
  bundled ??= parseCatalogue(JSON.parse(readFileSync(new URL("../../data/bots.json", import.meta.url), "utf8")));
  return bundled;
}
