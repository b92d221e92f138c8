import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BodyContent, type Decision, type PlainRequest, parapet, silentLogger } from "@parapet/core";
import { canonicalize, canonicalizeKeepingNul } from "../src/canonicalize.js";
import type { Candidate, Detector, Finding, InputKind } from "../src/detectors/types.js";
import { collectCandidates, type ShieldOptions, shield } from "../src/index.js";
import { resolveShieldOptions } from "../src/options.js";

/** A candidate as the plumbing would build it for a query parameter (or another place). */
export function candidate(raw: string, kind: InputKind = "query", name = "q"): Candidate {
  const kept = canonicalizeKeepingNul(raw);
  const canonical = canonicalize(raw);
  return { location: `${kind}.${name}`, kind, raw, canonical, name, ...(kept === canonical ? {} : { withNul: kept }) };
}

/** The detector's score for a value, 0 when it finds nothing. */
export function scoreOf(detector: Detector, raw: string, kind: InputKind = "query", name = "q"): number {
  const finding: Finding | undefined = detector.detect(candidate(raw, kind, name));
  return finding?.score ?? 0;
}

/** The default ("medium") threshold: what a LIVE shield blocks out of the box. */
export const BLOCKS = 0.7;

/** Rules a detector follows, each with the attacks it must block and the near-miss values it must let through. */
export type RuleTable = Record<string, { readonly attacks: readonly string[]; readonly benign: readonly string[] }>;

/** Two tests per rule of `rules`: every attack scores at least BLOCKS, every benign value below it. */
export function describeRules(title: string, score: (value: string) => number, rules: RuleTable): void {
  describe(title, () => {
    for (const [rule, { attacks, benign }] of Object.entries(rules)) {
      it(`blocks: ${rule}`, () => {
        for (const value of attacks) assert.ok(score(value) >= BLOCKS, `missed ${JSON.stringify(value)}: ${score(value)}`);
      });
      it(`lets near misses through: ${rule}`, () => {
        for (const value of benign) assert.ok(score(value) < BLOCKS, `false positive on ${JSON.stringify(value)}: ${score(value)}`);
      });
    }
  });
}

/** One request through a fresh client holding only a LIVE shield at the default sensitivity, from 192.0.2.1. */
export async function shieldDecision(request: Request): Promise<Decision> {
  const client = parapet({ rules: [shield({ mode: "LIVE" })], logger: silentLogger });
  try {
    return await client.protect(request, { ip: "192.0.2.1" });
  } finally {
    await client.close();
  }
}

/**
 * One plain request (`{ method, url, headers, body }`) through a fresh client holding only a LIVE shield, with
 * `options` over the defaults, from 192.0.2.1 to host `localhost` unless the request says otherwise.
 */
export async function shieldDecisionOn(request: PlainRequest, options: Partial<ShieldOptions> = {}): Promise<Decision> {
  const client = parapet({ rules: [shield({ mode: "LIVE", ...options })], logger: silentLogger });
  try {
    return await client.protect({ headers: { host: "localhost" }, ip: "192.0.2.1", ...request });
  } finally {
    await client.close();
  }
}

/** The default inspection limits, as a LIVE shield without options reads a request. */
export const DEFAULT_LIMITS = resolveShieldOptions({ mode: "LIVE" }).limits;
const NO_REQUEST = { query: "", path: "/", headers: {} } as unknown as Parameters<typeof collectCandidates>[0];

/** The body values a default shield inspects in `text` sent as `contentType`, by location: as received, or canonical. */
export function bodyValues(text: string, contentType: string, form: "raw" | "canonical" = "raw"): Record<string, string> {
  const body: BodyContent = { bytes: new TextEncoder().encode(text), truncated: false, contentType };
  const out: Record<string, string> = {};
  for (const c of collectCandidates(NO_REQUEST, body, DEFAULT_LIMITS).candidates) if (c.kind === "body") out[c.location] = c[form];
  return out;
}
