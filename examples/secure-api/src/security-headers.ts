import type { RequestHandler } from "express";

/**
 * Headers for a JSON-only API. Nothing here is ever rendered as a page, so the
 * policy allows nothing: a response that a browser is tricked into rendering
 * (content sniffing, framing, a stray HTML error) can run no script and load
 * no resource.
 */
const HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  // Legacy browsers ignore CSP frame-ancestors; X-Frame-Options covers them.
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  // One year, subdomains included; browsers ignore it over plain HTTP (RFC 6797 §8.1).
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  // API answers carry per-user data; no shared cache may keep them.
  "Cache-Control": "no-store",
};

export function securityHeaders(): RequestHandler {
  return function setSecurityHeaders(_req, res, next) {
    res.set(HEADERS);
    next();
  };
}
