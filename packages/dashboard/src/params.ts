import type { DecisionFilter, TopDimension } from "@parapet/observe";

/**
 * Query-string parsing for the JSON API. Everything here is untrusted input:
 * unknown names, malformed numbers and out-of-range values are answered with
 * a 400 naming the parameter, before any SQL runs.
 */
export class BadRequest extends Error {
  readonly status = 400;
}

const HOUR_MS = 3_600_000;
/** The rollups are kept 90 days; a wider range could only return empty buckets. */
const MAX_RANGE_MS = 90 * 24 * HOUR_MS;
/** About this many points per chart: enough to read a shape, few enough to draw instantly. */
const TARGET_POINTS = 120;
/** Exact-match filter values; longer than any stored path (1,024) is never a match. */
const MAX_FILTER_LENGTH = 1024;

export const TOP_DIMENSIONS: readonly TopDimension[] = ["ip", "apiKey", "userId", "path", "botClass", "attackClass", "ruleId"];
const TEXT_FILTERS = ["ip", "path", "apiKey", "userId", "botClass", "attackClass", "ruleId"] as const;
const CONCLUSIONS = ["ALLOW", "DENY", "ERROR"] as const;

export interface Range {
  readonly from: number;
  readonly to: number;
}

export function allowOnly(params: URLSearchParams, names: readonly string[]): void {
  for (const name of params.keys()) {
    if (!names.includes(name)) throw new BadRequest(`unknown parameter \`${name}\`; this endpoint accepts ${names.join(", ") || "none"}`);
  }
}

/** `from`/`to` in epoch ms; default the last hour up to `now`. */
export function parseRange(params: URLSearchParams, now: number): Range {
  const to = optionalInteger(params, "to") ?? now;
  const from = optionalInteger(params, "from") ?? to - HOUR_MS;
  if (from > to) throw new BadRequest("`from` must not be after `to`");
  if (to - from > MAX_RANGE_MS) throw new BadRequest("the range may span at most 90 days (the rollup retention)");
  return { from, to };
}

export function bucketMinutesFor(range: Range): number {
  const minutes = (range.to - range.from) / 60_000;
  return Math.min(1440, Math.max(1, Math.ceil(minutes / TARGET_POINTS)));
}

export function parseLimit(params: URLSearchParams, fallback: number): number {
  const limit = optionalInteger(params, "limit") ?? fallback;
  if (limit < 1 || limit > 500) throw new BadRequest("`limit` must be an integer from 1 to 500");
  return limit;
}

export function parseTopDimension(params: URLSearchParams): TopDimension {
  const by = params.get("by");
  const dimension = TOP_DIMENSIONS.find((d) => d === by);
  if (!dimension) throw new BadRequest(`\`by\` must be one of ${TOP_DIMENSIONS.join(", ")}`);
  return dimension;
}

export const DECISION_PARAMS = ["from", "to", "limit", "cursor", "conclusion", "status", ...TEXT_FILTERS];

export function parseDecisionFilter(params: URLSearchParams, now: number): DecisionFilter {
  allowOnly(params, DECISION_PARAMS);
  const filter: { -readonly [K in keyof DecisionFilter]: DecisionFilter[K] } = {
    ...parseRange(params, now),
    limit: parseLimit(params, 50),
  };
  const conclusion = params.get("conclusion");
  if (conclusion !== null && conclusion !== "") {
    const known = CONCLUSIONS.find((c) => c === conclusion);
    if (!known) throw new BadRequest("`conclusion` must be ALLOW, DENY or ERROR");
    filter.conclusion = known;
  }
  for (const name of TEXT_FILTERS) {
    const value = params.get(name);
    if (value === null || value === "") continue;
    if (value.length > MAX_FILTER_LENGTH) throw new BadRequest(`\`${name}\` is longer than ${MAX_FILTER_LENGTH} characters`);
    filter[name] = value;
  }
  const status = optionalInteger(params, "status");
  if (status !== undefined) {
    if (status < 100 || status > 599) throw new BadRequest("`status` must be an HTTP status from 100 to 599");
    filter.status = status;
  }
  const cursor = params.get("cursor");
  // The query checks the cursor's form itself (a PARAPET_E_INVALID_OPTION error, answered 400 by api.ts): a second
  // pattern here fell behind it once, when budget-stopped searches began returning "<searchedFrom>:".
  if (cursor !== null && cursor !== "") filter.cursor = cursor;
  return filter;
}

function optionalInteger(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  // Digits only (optionally negative): "1e3", "0x10" and " 5" are refused, not coerced.
  if (!/^-?\d{1,16}$/.test(raw)) throw new BadRequest(`\`${name}\` must be an integer`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new BadRequest(`\`${name}\` is out of range`);
  return value;
}
