import type { Request } from "express";

/**
 * The `{}` an Express 4 body parser leaves on `req.body` when the body was
 * not its type, or undefined when `req.body` is anything else.
 *
 * body-parser 1.x (Express 4's express.json(), express.urlencoded()…) runs
 * `req.body = req.body || {}` on every request, also one it leaves unread.
 * The core takes a `req.body` for a body a framework parsed and inspects it
 * instead of the stream: with express.json() before Parapet, a form or a text
 * body parsed after it reached the app uninspected. `_body` is body-parser
 * 1.x's own flag for "I read this one".
 */
export function parserPlaceholder(req: Request): object | undefined {
  const body: unknown = req.body;
  if (body === null || typeof body !== "object") return undefined;
  if ((req as { _body?: unknown })._body === true || Object.getPrototypeOf(body) !== Object.prototype) return undefined;
  return Object.keys(body).length === 0 ? body : undefined;
}
