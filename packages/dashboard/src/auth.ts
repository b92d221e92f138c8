import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { SessionStore } from "./sessions.js";

/**
 * The dashboard shows IPs, paths and user ids: anyone who can reach its port
 * must also hold the token, or a session opened with it. Credentials arrive
 * one of three ways:
 * - `Authorization: Bearer <token>` (scripts, curl); any other scheme (Basic
 *   from a reverse proxy in front) is not for us, and the cookie still counts;
 * - `?token=` on the first page load: the server answers with a session
 *   cookie and a redirect that strips the token from the URL, so it does not
 *   linger in history, screenshots or Referer headers;
 * - the session cookie, which carries a session id, never the token (see sessions.ts).
 */
export type AuthResult =
  /** `session` is the id of the cookie's live session; absent when the Bearer token was sent. */
  | { readonly status: "ok"; readonly session?: string }
  | { readonly status: "from-query" }
  | { readonly status: "missing" }
  /** A wrong token, by Bearer or `?token=`: a guess, which the login throttle counts. */
  | { readonly status: "wrong" }
  /** Only session cookies, none of them live: expired, logged out, or from before a restart. Not a guess. */
  | { readonly status: "ended" };

/** 24 random bytes, URL-safe: 192 bits, far beyond guessing over HTTP. */
export function generateToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Tokens must be long enough not to be guessed and plain enough to travel in a header, a cookie and a URL. */
export function isAcceptableToken(token: string): boolean {
  return /^[A-Za-z0-9._~-]{16,256}$/.test(token);
}

/** Cookies are shared by every port of a host, so the name carries the port: two dashboards do not log each other out. */
export function cookieName(port: number): string {
  return `parapet_dashboard_${port}`;
}

/**
 * Compares in constant time. Both sides are hashed first, so the comparison
 * does not leak the token's length either.
 */
export function tokenMatches(expected: string, candidate: string): boolean {
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(candidate).digest();
  return timingSafeEqual(a, b);
}

/** The token the request presents, by Bearer header or `?token=`; undefined when it presents none (a cookie is no token). */
export function presentedToken(request: IncomingMessage, url: URL): string | undefined {
  return bearerToken(request.headers.authorization) ?? url.searchParams.get("token") ?? undefined;
}

export function authenticate(
  request: IncomingMessage,
  url: URL,
  token: string,
  cookie: string,
  sessions: Pick<SessionStore, "touch">,
): AuthResult {
  // An explicit credential is judged on its own: a right cookie does not rescue a wrong one.
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== undefined) return { status: tokenMatches(token, bearer) ? "ok" : "wrong" };
  // Before the cookie: opening the printed URL again in a browser that still has the session must also
  // strip the token, or it stays in the address bar and the history.
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null) return { status: tokenMatches(token, fromQuery) ? "from-query" : "wrong" };
  const ids = sessionIds(request, cookie);
  if (ids.length === 0) return { status: "missing" };
  // Any of them: every port of 127.0.0.1 shares cookies, so a page on another port (a dev server, the app itself) can
  // add one of the same name with a longer Path, which the browser then sends first. Judging only the first let such a
  // decoy lock the user out for the browser session, logging in again included. A decoy cannot name a live session.
  const session = ids.find((id) => sessions.touch(id));
  return session === undefined ? { status: "ended" } : { status: "ok", session };
}

/** Every value of the session cookie in the request, in the order the browser sent them. */
export function sessionIds(request: IncomingMessage, cookie: string): string[] {
  return readCookies(request.headers.cookie, cookie);
}

/**
 * HttpOnly: page scripts never see it. SameSite=Strict: no other site can make
 * the browser send it (the CSRF defence for every endpoint). Max-Age: the
 * browser drops it when the session's absolute lifetime is over, as the server does.
 */
export function sessionCookie(name: string, sessionId: string, maxAgeMs: number): string {
  return `${name}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
}

/** Tells the browser to drop the session cookie (logout, or a cookie naming no live session). */
export function clearedSessionCookie(name: string): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/**
 * The token of a Bearer Authorization header; "" when the header is Bearer but malformed; undefined for no header
 * or another scheme. Schemes are case-insensitive (RFC 7235 section 2.1): `bearer x` is `Bearer x`.
 */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || !/^bearer(?:\s|$)/i.test(header)) return undefined;
  return /^bearer +(\S+)$/i.exec(header)?.[1] ?? "";
}

/** Every value of the cookie `name` in the header, in the order the browser sent them. */
function readCookies(header: string | undefined, name: string): string[] {
  const values: string[] = [];
  if (!header) return values;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) values.push(part.slice(index + 1).trim());
  }
  return values;
}
