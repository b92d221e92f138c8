import type { ServerResponse } from "node:http";
import type { Decision, Logger } from "@parapet/core";
import { denialHeaders, denialJson } from "./denial.js";
import { abortStartedResponse } from "./started-response.js";

/**
 * Adds the decision's headers (RateLimit, RateLimit-Policy, Retry-After) unless the response has started.
 * `headers` replaces them when another decision shares the response (see stackedHeaders).
 */
export function setDecisionHeaders(res: ServerResponse, decision: Decision, headers = decision.headers): void {
  if (res.headersSent) return;
  // Own keys only (a polluted Object.prototype must not add headers), without Object.entries' array of pairs.
  for (const name of Object.keys(headers)) res.setHeader(name, headers[name] as string);
}

/**
 * Answers a denied request with `decision.status` and the small JSON body; `headers` as in setDecisionHeaders.
 * A response that has already started is cut off instead, and `logger` told (see abortStartedResponse).
 */
export function sendDenial(res: ServerResponse, decision: Decision, headers = decision.headers, logger?: Pick<Logger, "error">): void {
  // Ending it (as this once did) completed whatever was written as a successful response.
  if (res.headersSent) {
    abortStartedResponse(res, decision, logger);
    return;
  }
  const body = denialJson(decision);
  res.writeHead(decision.status, { ...denialHeaders(decision, headers), "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
