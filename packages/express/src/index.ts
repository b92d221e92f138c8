import type { Decision, Parapet } from "@parapet/core";
import { safeDecide, sendDenial, setDecisionHeaders } from "@parapet/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";

declare module "express-serve-static-core" {
  interface Request {
    /** The decision Parapet made for this request, set by `parapetMiddleware`. */
    parapet?: Decision;
  }
}

export interface ParapetMiddlewareOptions {
  /** Values for characteristics and rules, e.g. `(req) => ({ userId: req.session?.userId })`. */
  readonly extra?: (req: Request) => Readonly<Record<string, unknown>>;
  /**
   * Answers a denial yourself; the default sends `decision.status` with a small JSON body. What it returns is
   * ignored (a promise is awaited), so `(d, req, res) => res.status(429).json(…)` fits.
   */
  readonly onDenied?: (decision: Decision, req: Request, res: Response, next: NextFunction) => unknown;
}

/**
 * Express middleware: decides on each request, sets the RateLimit headers,
 * answers denials, and leaves the decision on `req.parapet` for handlers.
 *
 * Mount it before or after `express.json()`: before, the core reads the body
 * and puts it back on the stream for the parser; after, it inspects `req.body`.
 */
export function parapetMiddleware(client: Parapet, options: ParapetMiddlewareOptions = {}): RequestHandler {
  if (!client || typeof client.protect !== "function") {
    throw new TypeError("parapetMiddleware(client): pass the client created with parapet({ rules: [...] })");
  }
  const { extra, onDenied } = options;
  async function answerDenial(decision: Decision, req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      await (onDenied as NonNullable<typeof onDenied>)(decision, req, res, next);
    } catch {
      // A broken custom denial must still deny.
      sendDenial(res, decision);
    }
  }
  function respond(decision: Decision, req: Request, res: Response, next: NextFunction): void | Promise<void> {
    req.parapet = decision;
    setDecisionHeaders(res, decision);
    if (!decision.isDenied()) return next();
    if (!onDenied) return sendDenial(res, decision);
    return answerDenial(decision, req, res, next);
  }
  // Not an async function: when the client decides at once (memory-store limits) next() runs in the same tick.
  return function parapetExpress(req, res, next) {
    const decided = safeDecide(client, req, extra ? () => extra(req) : undefined);
    if (decided instanceof Promise) return decided.then((decision) => respond(decision, req, res, next));
    return respond(decided, req, res, next);
  };
}
