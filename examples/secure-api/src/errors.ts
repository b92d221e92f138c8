import type { ErrorRequestHandler, RequestHandler } from "express";

/** Unknown routes get JSON like every other answer, not Express's HTML page. */
export function notFound(): RequestHandler {
  return function sendNotFound(_req, res) {
    res.status(404).json({ error: "Not Found", reason: "No such route; see GET /api/health for a live endpoint." });
  };
}

interface HttpError {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
  readonly expose?: boolean;
}

/**
 * The last handler: turns any error into a short JSON answer. Stack traces
 * and internal messages go to the log, never to the client, since they map
 * the code for an attacker. body-parser's client errors (malformed JSON,
 * too large) keep their 4xx status with a message that says what to fix.
 */
export function jsonErrors(log: (message: string, error: unknown) => void): ErrorRequestHandler {
  return function sendJsonError(error: unknown, _req, res, _next) {
    const http = (typeof error === "object" && error !== null ? error : {}) as HttpError;
    const status = http.status ?? http.statusCode ?? 500;
    if (res.headersSent) return;
    if (http.type === "entity.too.large") {
      res.status(413).json({ error: "Payload Too Large", reason: "The JSON body is larger than the 16 KB this API accepts." });
      return;
    }
    if (http.type === "entity.parse.failed") {
      res.status(400).json({ error: "Bad Request", reason: "The body is not valid JSON." });
      return;
    }
    if (status >= 400 && status < 500 && http.expose) {
      res.status(status).json({ error: "Bad Request", reason: "The request could not be read; check its Content-Type and body." });
      return;
    }
    log("unhandled error", error);
    res.status(500).json({ error: "Internal Server Error", reason: "Something failed on our side; try again later." });
  };
}
