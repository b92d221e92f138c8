/**
 * The session cookie names web frameworks set, as a parameter name would
 * spell them. A Node.js app reads its session from the Cookie header; one of
 * these names in a query string, form or JSON body is how session fixation
 * is delivered (OWASP CRS 943110/943120): a link or a cross-site form plants
 * an id the attacker knows, and the victim logs in under it.
 */

/** How sure a name is a framework's session cookie rather than a field the app named itself. */
export type NameVerdict = "framework" | "generic";

/**
 * Names only a framework uses, lowercase. Each is the default cookie of the
 * framework in the comment, or a spelling the OWASP CRS data file lists.
 */
const FRAMEWORK_NAMES: ReadonlySet<string> = new Set([
  // PHP, CakePHP, Laravel, CodeIgniter, Zend, Moodle
  "phpsessid",
  "phpsession",
  "cakephp",
  "laravel_session",
  "ci_session",
  "zend_session_id",
  "moodlesession",
  // Java servlet containers, WebLogic, SiteMinder, Play
  "jsessionid",
  "jsessionidsso",
  "jservsession",
  "jwsession",
  "weblogicsession",
  "smsession",
  "play_session",
  // ASP.NET (classic, cookieless forms auth, Core)
  "asp.net_sessionid",
  ".aspxauth",
  ".aspnetcore.session",
  ".aspnetcore.cookies",
  ".aspnetcore.identity.application",
  // ColdFusion: CFID and CFTOKEN travel together, in URLs when cookies are off
  "cfid",
  "cftoken",
  "cfsid",
  // Node.js: express-session, Sails, cookie-session, Koa, NextAuth / Auth.js, better-auth
  "connect.sid",
  "sails.sid",
  "express.sid",
  "express:sess",
  "koa.sess",
  "koa:sess",
  "next-auth.session-token",
  "authjs.session-token",
  "better-auth.session_token",
  // Ruby (Rack, old Rails), Python (Flask-Session, Beaker), R Shiny
  "rack.session",
  "_session_id",
  "_rails_session",
  "_flask_session",
  "beaker.session.id",
  "shiny-token",
]);

/**
 * The cookie names of Django (`sessionid`) and of Amazon-style sites
 * (`session-id`): real framework cookies, and distinctive enough spelled
 * exactly so, all lowercase. The same letters in camelCase or with an
 * underscore (`sessionId`, `session_id`, `SessionID`) are how apps name
 * their own ids (a chat session, Stripe Checkout's `?session_id=`,
 * @fastify/session's cookie): those are not judged here at all.
 */
const EXACT_GENERIC_NAMES: ReadonlySet<string> = new Set(["sessionid", "session-id"]);

/** Classic ASP: `ASPSESSIONID` followed by eight random capitals, one cookie per worker process. */
const ASP_CLASSIC = /^aspsessionid[a-z]{0,8}$/;
/**
 * Rails names its cookie after the app (`_myshop_session`); Drupal and
 * WordPress after a hash of the site (`SESS` + 32 hex, `wordpress_logged_in_` + 32 hex).
 */
const NAMED_AFTER_APP = /^(?:_[a-z][a-z0-9_]{0,30}_session|s?sess[0-9a-f]{32}|wordpress_(?:logged_in|sec)_[0-9a-f]{32})$/;

/** The first letters of NAMED_AFTER_APP's names: `_`, `s`/`ss` (Drupal), `w` (WordPress). */
const NAMED_AFTER_APP_INITIALS = "_sw";

/** Browsers only accept `__Host-`/`__Secure-` cookies from secure origins; the name behind the prefix is what counts. */
const COOKIE_PREFIX = /^__(?:host|secure)-/;

/**
 * Verdicts by name. Every key of every request is asked about, and an app's
 * parameter names are few and repeat: a lookup instead of lowercasing and
 * pattern tests. Bounded (cleared when full) against a flood of made-up names.
 */
const verdicts = new Map<string, NameVerdict | null>();
const MAX_REMEMBERED = 1024;

/** The verdict on a parameter name, or undefined when it is not a session cookie's name. */
export function sessionCookieName(name: string): NameVerdict | undefined {
  // Outside these lengths no name is a session cookie's (and a long one is never remembered).
  if (name.length < 4 || name.length > 64) return undefined;
  const known = verdicts.get(name);
  if (known !== undefined) return known ?? undefined;
  const verdict = judgeName(name);
  if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
  verdicts.set(name, verdict ?? null);
  return verdict;
}

function judgeName(name: string): NameVerdict | undefined {
  if (EXACT_GENERIC_NAMES.has(name)) return "generic";
  let lower = name.toLowerCase();
  if (FRAMEWORK_NAMES.has(lower)) return "framework";
  // Every key of every request comes here: the patterns run only for names that start the way theirs do.
  if (lower.startsWith("__")) {
    lower = lower.replace(COOKIE_PREFIX, "");
    if (FRAMEWORK_NAMES.has(lower)) return "framework";
  }
  const first = lower[0] ?? "";
  if (first === "a" && ASP_CLASSIC.test(lower)) return "framework";
  if (NAMED_AFTER_APP_INITIALS.includes(first) && NAMED_AFTER_APP.test(lower)) return "framework";
  return undefined;
}
