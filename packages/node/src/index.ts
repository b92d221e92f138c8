import type { IncomingMessage, ServerResponse } from "node:http";
import type { Decision, Parapet, ProtectOptions } from "@parapet/core";
import { clientLeft } from "./client-left.js";
import { safeDecide } from "./safe-protect.js";
import { sendDenial, setDecisionHeaders } from "./send.js";
import { abortStartedResponse } from "./started-response.js";

export { clientLeft } from "./client-left.js";
export { type DenialBody, denialBody, denialHeaders, denialJson } from "./denial.js";
export { discardUnreadBody, releaseUnreadBody } from "./discard-body.js";
export { safeDecide, safeProtect } from "./safe-protect.js";
export { sendDenial, setDecisionHeaders } from "./send.js";
export { stackedHeaders } from "./stacked-headers.js";
export { abortStartedResponse } from "./started-response.js";

/**
 * Decides on a node:http request and puts the decision's RateLimit headers on
 * the response. The caller acts on `decision.isDenied()`. Never rejects.
 */
export function protectNode(
  client: Parapet,
  req: IncomingMessage,
  res: ServerResponse,
  extra?: Readonly<Record<string, unknown>>,
  options?: ProtectOptions,
): Promise<Decision> {
  const decided = safeDecide(client, req, extra, options);
  if (decided instanceof Promise) return decided.then((decision) => withHeaders(res, decision));
  return Promise.resolve(withHeaders(res, decided));
}

function withHeaders(res: ServerResponse, decision: Decision): Decision {
  setDecisionHeaders(res, decision);
  return decision;
}

/** What a synchronous handler's request resolves to: one settled promise for all of them, not one each. */
const HANDLED: Promise<void> = Promise.resolve();

/**
 * Keeps a handler's promise (its rejection must surface) and drops any other value it returned. The promise is
 * passed on as it is, not chained to drop its value: no one reads that value, and a `.then` costs every request.
 */
function handlerOutcome(returned: unknown): void | Promise<void> {
  if (returned instanceof Promise) return returned as Promise<void>;
  if (typeof (returned as PromiseLike<unknown> | undefined)?.then === "function") {
    return Promise.resolve(returned as PromiseLike<void>);
  }
  return undefined;
}

/**
 * The app's handler. Its return value is ignored except a promise, whose rejection becomes the wrapper's, so
 * `(req, res) => res.end("ok")` (which returns `res`) is a handler like any other.
 */
export type ParapetHandler = (req: IncomingMessage, res: ServerResponse, decision: Decision) => unknown;

export interface WithParapetOptions {
  /** Values for characteristics and rules, e.g. `(req) => ({ userId: sessionOf(req) })`. */
  readonly extra?: (req: IncomingMessage) => Readonly<Record<string, unknown>>;
  /**
   * Answers a denial yourself; the default sends `decision.status` with a small JSON body. What it returns is
   * ignored (a promise is awaited), so `(d, req, res) => res.writeHead(429).end()` fits.
   */
  readonly onDenied?: (decision: Decision, req: IncomingMessage, res: ServerResponse) => unknown;
}

/**
 * Wraps a `http.createServer` handler: denied requests are answered here,
 * allowed ones reach `handler` with the decision as a third argument. A
 * request whose client closed the connection before the decision reaches
 * neither (see clientLeft).
 */
export function withParapet(
  client: Parapet,
  handler: ParapetHandler,
  options: WithParapetOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  if (typeof handler !== "function") throw new TypeError("withParapet(client, handler): `handler` must be a function (req, res, decision)");
  const { extra, onDenied } = options;
  async function answerDenial(decision: Decision, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await (onDenied as NonNullable<typeof onDenied>)(decision, req, res);
    } catch {
      // A broken custom denial must still deny.
      sendDenial(res, decision, undefined, client.logger);
    }
  }
  function respond(req: IncomingMessage, res: ServerResponse, decision: Decision): void | Promise<void> {
    if (clientLeft(req)) return void res.destroy();
    setDecisionHeaders(res, decision);
    if (!decision.isDenied()) return handlerOutcome(handler(req, res, decision));
    // Another "request" listener answered first: no denial, custom or not, can change that answer now.
    if (res.headersSent) return abortStartedResponse(res, decision, client.logger);
    if (!onDenied) return sendDenial(res, decision);
    return answerDenial(decision, req, res);
  }
  // Not an async function: when the client decides at once (memory-store limits) the handler runs in the same
  // tick. The promise returned settles as an async function's would: a handler's throw becomes its rejection.
  return function parapetNodeHandler(req, res) {
    try {
      const decided = safeDecide(client, req, extra ? () => extra(req) : undefined);
      if (decided instanceof Promise) return decided.then((decision) => respond(req, res, decision));
      const handled = respond(req, res, decided);
      return handled === undefined ? HANDLED : Promise.resolve(handled);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
