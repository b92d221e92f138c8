import type { ServerResponse } from "node:http";
import { ErrorCodes, type Logger, messageOf, ParapetError } from "@parapet/core";
import type { AlertKind, DecisionLogQuery } from "@parapet/observe";
import { sendError, sendJson } from "./headers.js";
import { allowOnly, BadRequest, bucketMinutesFor, parseDecisionFilter, parseLimit, parseRange, parseTopDimension } from "./params.js";
import { fillBuckets } from "./series.js";

/**
 * The JSON API the UI reads. GET only: nothing here changes state, so there
 * is nothing for a cross-site request to forge (and the SameSite=Strict
 * cookie is not sent cross-site anyway). Every read goes through observe's
 * query module, so SQLite and PostgreSQL behave alike; charts read the
 * per-minute rollups, tables are keyset-paginated.
 */
export interface ApiContext {
  readonly query: DecisionLogQuery;
  readonly now: () => number;
  readonly logger: Logger;
}

const ALERT_KINDS: readonly AlertKind[] = ["spike", "credential_stuffing", "brute_force", "scan", "attack_campaign", "log_drops"];
const DECISION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

type Handler = (params: URLSearchParams, context: ApiContext, tail: string) => Promise<unknown>;

const ROUTES: Readonly<Record<string, Handler>> = {
  async overview(params, { query, now }) {
    allowOnly(params, ["from", "to"]);
    const range = parseRange(params, now());
    const bucketMinutes = bucketMinutesFor(range);
    const [series, deniedByRule] = await Promise.all([
      query.overview({ ...range, bucketMinutes }),
      query.deniedByRule({ ...range, bucketMinutes }),
    ]);
    return { ...range, bucketMinutes, series: fillBuckets(series, range, bucketMinutes), deniedByRule };
  },
  async top(params, { query, now }) {
    allowOnly(params, ["from", "to", "by", "limit"]);
    const range = parseRange(params, now());
    const by = parseTopDimension(params);
    return { by, entries: await query.top({ ...range, by, limit: parseLimit(params, 10) }) };
  },
  async decisions(params, { query, now }, tail) {
    if (tail !== "") {
      allowOnly(params, []);
      if (!DECISION_ID.test(tail)) throw new BadRequest("a decision id is 1-128 letters, digits or _.:-");
      const decision = await query.decision(tail);
      if (!decision) throw new NotFound(`no decision ${tail} in the log (raw decisions are kept 7 days by default)`);
      return { decision };
    }
    return query.decisions(parseDecisionFilter(params, now()));
  },
  async alerts(params, { query, now }) {
    allowOnly(params, ["from", "to", "kind", "limit"]);
    const range = parseRange(params, now());
    const kindParam = params.get("kind");
    const kind = ALERT_KINDS.find((k) => k === kindParam);
    if (kindParam !== null && kindParam !== "" && !kind) throw new BadRequest(`\`kind\` must be one of ${ALERT_KINDS.join(", ")}`);
    return { alerts: await query.alerts({ ...range, limit: parseLimit(params, 100), ...(kind ? { kind } : {}) }) };
  },
};

class NotFound extends Error {}

/** Answers `/api/<name>[/<tail>]`. Returns false when the route is not an API route. */
export async function handleApi(
  pathname: string,
  params: URLSearchParams,
  response: ServerResponse,
  context: ApiContext,
): Promise<boolean> {
  const match = /^\/api\/([a-z]+)(?:\/([^/]*))?$/.exec(pathname);
  // Own names only: `/api/constructor` would otherwise find Object on the prototype and answer with it.
  const handler = match && Object.hasOwn(ROUTES, match[1]!) ? ROUTES[match[1]!] : undefined;
  if (!match || !handler) return false;
  try {
    const tail = decodeTail(match[2] ?? "");
    sendJson(response, 200, await handler(params, context, tail));
  } catch (error) {
    if (error instanceof BadRequest) sendError(response, 400, error.message);
    else if (error instanceof NotFound) sendError(response, 404, error.message);
    else if (error instanceof ParapetError && error.code === ErrorCodes.INVALID_OPTION) sendError(response, 400, error.message);
    else {
      context.logger.error("dashboard: the decision log could not be read", { error: messageOf(error) });
      sendError(response, 503, "the decision log could not be read; check that the database is up and see the dashboard's log");
    }
  }
  return true;
}

function decodeTail(tail: string): string {
  try {
    return decodeURIComponent(tail);
  } catch {
    throw new BadRequest("the path is not valid percent-encoding");
  }
}
