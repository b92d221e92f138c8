import type { ServerResponse } from "node:http";
import type { Decision } from "@parapet/core";
import { denialHeaders, denialJson } from "./denial.js";

/**
 * Adds the decision's headers (RateLimit, RateLimit-Policy, Retry-After) unless the response has started.
 * `headers` replaces them when another decision shares the response (see stackedHeaders).
 */
export function setDecisionHeaders(res: ServerResponse, decision: Decision, headers = decision.headers): void {
  if (res.headersSent) return;
  // Own keys only (a polluted Object.prototype must not add headers), without Object.entries' array of pairs.
  for (const name of Object.keys(headers)) res.setHeader(name, headers[name] as string);
}

/** Answers a denied request with `decision.status` and the small JSON body; `headers` as in setDecisionHeaders. */
export function sendDenial(res: ServerResponse, decision: Decision, headers = decision.headers): void {
  if (res.headersSent) {
    // Someone answered before us; all we can still do is stop the exchange.
    res.end();
    return;
  }
  const body = denialJson(decision);
  res.writeHead(decision.status, { ...denialHeaders(decision, headers), "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
