import { createHash } from "node:crypto";
import type { Decision, NormalizedRequest, RuleResult } from "@parapet/core";
import type { CapturedDecision } from "./capture.js";
import type { BoundedMap } from "./sketch/bounded-map.js";

/** One decision as stored: flat columns plus the rule results as JSON. */
export interface DecisionRecord {
  readonly id: string;
  readonly ts: number;
  readonly conclusion: Decision["conclusion"];
  readonly denied: boolean;
  readonly reasonType: string;
  readonly ruleId: string | null;
  status: number | null;
  /** Set once the record's INSERT is built: a later status must become an UPDATE. */
  sealed: boolean;
  readonly ip: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | null;
  /** A fingerprint of the API key, never the key itself (see `fingerprint`). */
  readonly apiKey: string | null;
  readonly userId: string | null;
  readonly botClass: string | null;
  readonly attackClass: string | null;
  readonly durationMs: number;
  readonly results: readonly RuleResult[];
  /** Set when the results arrived already encoded (results-codec.ts); the writer stores it as is. */
  readonly encodedResults: string | undefined;
}

// Bounds on attacker-controlled text: a log row must not grow with the request.
const MAX_PATH = 1024;
const MAX_USER_AGENT = 512;
const MAX_ID = 128;

/** Bot classes that mean "a person": these do not count as bots in rollups or detectors. */
const HUMAN_CLASSES = new Set(["human", "browser", "none", "not_bot", "NOT_BOT", "HUMAN"]);

export function toRecord(decision: Decision, request: NormalizedRequest): DecisionRecord {
  return fromCaptured({
    id: decision.id,
    ts: decision.timestamp,
    conclusion: decision.conclusion,
    denied: decision.isDenied(),
    reasonType: decision.reason.type,
    ip: decision.ip,
    method: request.method,
    path: request.path,
    userAgent: request.header("user-agent"),
    apiKey: request.extra.apiKey ?? request.header("x-api-key"),
    userId: request.extra.userId,
    durationMs: decision.durationMs,
    results: decision.results,
  });
}

/** Builds the stored record from what the request path captured (done in batches, off the request path). */
export function fromCaptured(entry: CapturedDecision, fingerprints?: BoundedMap<string, string>): DecisionRecord {
  const results = entry.results;
  const decidingRule = results.find((r) => r.mode === "LIVE" && r.conclusion === "DENY") ?? results.find((r) => r.conclusion === "ERROR");
  const apiKey = stringOrNull(entry.apiKey);
  return {
    id: entry.id,
    ts: entry.ts,
    conclusion: entry.conclusion,
    denied: entry.denied,
    reasonType: entry.reasonType,
    ruleId: decidingRule?.ruleId ?? null,
    status: null,
    sealed: false,
    ip: entry.ip,
    method: entry.method,
    path: clip(entry.path, MAX_PATH) ?? "/",
    userAgent: clip(entry.userAgent, MAX_USER_AGENT),
    apiKey: apiKey === null ? null : cachedFingerprint(apiKey, fingerprints),
    userId: clip(stringOrNull(entry.userId), MAX_ID),
    botClass: classOf(results, "bot"),
    attackClass: classOf(results, "attack"),
    durationMs: entry.durationMs,
    results,
    encodedResults: entry.encodedResults,
  };
}

/** The same few keys come back on every request: hashing each once saves a SHA-256 per decision. */
function cachedFingerprint(apiKey: string, cache: BoundedMap<string, string> | undefined): string {
  if (!cache) return fingerprint(apiKey);
  let value = cache.peek(apiKey);
  if (value === undefined) {
    value = fingerprint(apiKey);
    cache.set(apiKey, value);
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

export function isBot(record: Pick<DecisionRecord, "botClass">): boolean {
  return record.botClass !== null && !HUMAN_CLASSES.has(record.botClass);
}

/**
 * Bot and attack classes come from rule results, read structurally so this
 * package does not import the bot or shield packages: a result whose rule type
 * mentions BOT (or SHIELD/ATTACK) and whose reason carries a string
 * `botClass`/`category`/`class` (or `attack`/`category`/`class`). A denying
 * shield with no such field is recorded by its rule type.
 */
const BOT_TYPE = /BOT/i;
const ATTACK_TYPE = /SHIELD|ATTACK|WAF/i;
const BOT_FIELDS = ["botClass", "category", "class", "verdict"] as const;
const ATTACK_FIELDS = ["attack", "attackClass", "category", "class"] as const;

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
    if (kind === "attack" && result.conclusion === "DENY") return result.ruleType;
  }
  return null;
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function clip(value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return value.length > max ? value.slice(0, max) : value;
}
