import type { Decision, Parapet } from "@parapet/core";
import { abortStartedResponse, clientLeft, safeDecide, sendDenial, setDecisionHeaders, stackedHeaders } from "@parapet/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { parserPlaceholder } from "./parser-placeholder.js";

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
 * and puts it back on the stream for the parser; after, it inspects `req.body`,
 * or the stream when the parser left the body unread (another content type).
 * A request whose client closed the connection before the decision goes no
 * further (see clientLeft in @parapet/node). Mount it before anything that
 * writes to the response: a denial that finds the response started closes the
 * connection and logs an error (see abortStartedResponse in @parapet/node).
 */
export function parapetMiddleware(client: Parapet, options: ParapetMiddlewareOptions = {}): RequestHandler {
  if (!client || typeof client.protect !== "function") {
    throw new TypeError("parapetMiddleware(client): pass the client created with parapet({ rules: [...] })");
  }
  const { extra, onDenied } = options;
  async function answerDenial(
    decision: Decision,
    req: Request,
    res: Response,
    next: NextFunction,
    headers: Readonly<Record<string, string>>,
  ): Promise<void> {
    try {
      await (onDenied as NonNullable<typeof onDenied>)(decision, req, res, next);
    } catch {
      // A broken custom denial must still deny.
      sendDenial(res, decision, headers, client.logger);
    }
  }
  /** `extra` sees `req.body` as the parser left it. */
  function extraValues(req: Request, placeholder: object | undefined): Readonly<Record<string, unknown>> {
    const values = extra as NonNullable<typeof extra>;
    if (placeholder === undefined) return values(req);
    req.body = placeholder;
    try {
      return values(req);
    } finally {
      req.body = undefined;
    }
  }
  function respond(decision: Decision, req: Request, res: Response, next: NextFunction, placeholder?: object): void | Promise<void> {
    // Put back as the parser left it: the app, and Express 4's parsers after us, expect an object.
    if (placeholder !== undefined && req.body === undefined) req.body = placeholder;
    // Set by a Parapet middleware that ran before this one (a global limit, this one a stricter one on a route).
    const earlier = req.parapet;
    req.parapet = decision;
    // Neither next() nor an answer: the client is gone, and with it its IP (see clientLeft).
    if (clientLeft(req)) return void res.destroy();
    const headers = stackedHeaders(earlier, decision);
    setDecisionHeaders(res, decision, headers);
    if (!decision.isDenied()) return next();
    // A middleware before this one wrote output: no denial, custom or not, can change that answer now.
    if (res.headersSent) return abortStartedResponse(res, decision, client.logger);
    if (!onDenied) return sendDenial(res, decision, headers);
    return answerDenial(decision, req, res, next, headers);
  }
  // Not an async function: when the client decides at once (memory-store limits) next() runs in the same tick.
  return function parapetExpress(req, res, next) {
    // Hidden while deciding, so the core reads the unread body off the stream (and puts it back).
    const placeholder = parserPlaceholder(req);
    if (placeholder !== undefined) req.body = undefined;
    const decided = safeDecide(client, req, extra ? () => extraValues(req, placeholder) : undefined);
    if (decided instanceof Promise) return decided.then((decision) => respond(decision, req, res, next, placeholder));
    return respond(decided, req, res, next, placeholder);
  };
}
