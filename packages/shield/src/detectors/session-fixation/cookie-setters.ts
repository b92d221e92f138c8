/**
 * Values that set a cookie in the victim's browser (OWASP CRS 943100): a
 * script assigning `document.cookie` with cookie attributes, a `<meta
 * http-equiv="Set-Cookie">` tag, or a `Set-Cookie` header smuggled after a
 * line break into a response the app builds from the value. Each plants a
 * session id the attacker chose.
 */

/**
 * `.cookie` assigned (`document.cookie = "sid=1; domain=.example"`) or
 * followed at once by `;` (`.cookie;expires=`, CRS's shape), then a cookie
 * attribute: the attributes make it a cookie being written, not read. A call
 * (`res.cookie("a", 1); path = x`) is server code, not an assignment.
 * Bounded: the cookie's own `name=value` fits in 200 characters.
 */
const COOKIE_ASSIGNMENT = /\.cookie\s{0,4}(?:=[^;\n]{0,200})?;\W{0,8}(?:expires|domain|path|max-age)\W{0,4}=/i;
/** `<meta http-equiv="Set-Cookie" content="sid=...">`: old browsers honored it, some embedded ones still do. */
const META_SET_COOKIE = /\bhttp-equiv\W{1,8}set-cookie\b/i;
/** A header line starting after CR or LF: `%0d%0aSet-Cookie: sid=1` splits the response the app writes. */
const INJECTED_HEADER = /[\r\n][ \t]{0,8}set-cookie[ \t]{0,8}:[ \t]{0,8}[^\s=;]{1,64}=/i;

export interface CookieSetter {
  readonly label: string;
  readonly index: number;
}

/** Every shape above names the cookie: one scan rules out nearly every value before the three patterns run. */
const COOKIE_WORD = /cookie/i;

/** Where a value writes a cookie, or undefined. */
export function findCookieSetter(value: string): CookieSetter | undefined {
  if (!COOKIE_WORD.test(value)) return undefined;
  const assignment = COOKIE_ASSIGNMENT.exec(value);
  if (assignment) return { label: "cookie written with attributes", index: assignment.index };
  const meta = META_SET_COOKIE.exec(value);
  if (meta) return { label: "meta http-equiv Set-Cookie", index: meta.index };
  const header = INJECTED_HEADER.exec(value);
  if (header) return { label: "injected Set-Cookie header", index: header.index };
  return undefined;
}
