import type { IncomingMessage, ServerResponse } from "node:http";
import type { Decision, Parapet, ProtectOptions } from "@parapet/core";
import { safeProtect } from "./safe-protect.js";
import { sendDenial, setDecisionHeaders } from "./send.js";

export { type DenialBody, denialBody, denialHeaders, denialJson } from "./denial.js";
export { discardUnreadBody } from "./discard-body.js";
export { safeProtect } from "./safe-protect.js";
export { sendDenial, setDecisionHeaders } from "./send.js";

/**
 * Decides on a node:http request and puts the decision's RateLimit headers on
 * the response. The caller acts on `decision.isDenied()`. Never rejects.
 */
export async function protectNode(
  client: Parapet,
  req: IncomingMessage,
  res: ServerResponse,
  extra?: Readonly<Record<string, unknown>>,
  options?: ProtectOptions,
): Promise<Decision> {
  const decision = await safeProtect(client, req, extra, options);
  setDecisionHeaders(res, decision);
  return decision;
}

export type ParapetHandler = (req: IncomingMessage, res: ServerResponse, decision: Decision) => void | Promise<void>;

export interface WithParapetOptions {
  /** Values for characteristics and rules, e.g. `(req) => ({ userId: sessionOf(req) })`. */
  readonly extra?: (req: IncomingMessage) => Readonly<Record<string, unknown>>;
  /** Answers a denial yourself; the default sends `decision.status` with a small JSON body. */
  readonly onDenied?: (decision: Decision, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

/**
 * Wraps a `http.createServer` handler: denied requests are answered here,
 * allowed ones reach `handler` with the decision as a third argument.
 */
export function withParapet(
  client: Parapet,
  handler: ParapetHandler,
  options: WithParapetOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  if (typeof handler !== "function") throw new TypeError("withParapet(client, handler): `handler` must be a function (req, res, decision)");
  const { extra, onDenied } = options;
  return async function parapetNodeHandler(req, res) {
    const decision = await safeProtect(client, req, extra ? () => extra(req) : undefined);
    setDecisionHeaders(res, decision);
    if (!decision.isDenied()) return handler(req, res, decision);
    if (!onDenied) return sendDenial(res, decision);
    try {
      await onDenied(decision, req, res);
    } catch {
      // A broken custom denial must still deny.
      sendDenial(res, decision);
    }
  };
}
