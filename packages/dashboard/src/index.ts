/**
 * @parapet/dashboard: a local web UI over the decision log.
 *
 *   const dashboard = await startDashboard({ log: sqliteLog({ path: ".parapet/decisions.db" }) });
 *   console.log(`dashboard: ${dashboard.loginUrl}`);
 *
 * Binds 127.0.0.1 by default and requires a token on every request; strict
 * CSP, read-only GET API, data rendered as text. See server.ts for the gates.
 */
export { type AuthResult, generateToken, tokenMatches } from "./auth.js";
export { type Dashboard, type DashboardOptions, startDashboard } from "./dashboard.js";
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./headers.js";
export { createLiveFeed, type LiveDecision, type LiveFeed, type LiveSource } from "./live.js";
