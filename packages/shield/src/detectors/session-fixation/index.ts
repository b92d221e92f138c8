/**
 * Session fixation: the attacker makes the victim's browser use a session id
 * the attacker knows, then rides the session once the victim logs in. It is
 * delivered either as a parameter named like a framework's session cookie
 * (`?PHPSESSID=…`, `{"connect.sid": …}`), for apps that accept the id from
 * the URL or a body, or as a value that writes the cookie directly (see
 * cookie-setters.ts).
 *
 * CRS 943110 also asks for a Referer from another site; a detector sees one
 * value at a time, so the name is scored alone.
 */
import { CONTROL, classesOf, EQUALS, SEMICOLON } from "../char-classes.js";
import { around, evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { sessionCookieName } from "./cookie-names.js";
import { findCookieSetter } from "./cookie-setters.js";

/**
 * A framework's own cookie name has no business as a parameter of a Node.js
 * app: blocked at the default sensitivity. Django's `sessionid` and
 * `session-id` could also be a field some app named itself, so they block at
 * medium only spelled exactly that way (see cookie-names.ts) and a little
 * lower than the framework names, so an app can loosen to "low" for them.
 */
const FRAMEWORK_NAME_SCORE = 0.85;
const GENERIC_NAME_SCORE = 0.72;
/** Writing a cookie with attributes from a parameter is never data. */
const COOKIE_SETTER_SCORE = 0.85;

/** Every cookie setter needs one of these: `;` before an attribute, `=` in a tag, a line break before a header. */
const SETTER_CLASSES = SEMICOLON | EQUALS | CONTROL;

export const sessionFixationDetector: Detector = {
  class: "session-fixation",
  detect(candidate: Candidate): Finding | undefined {
    if (candidate.kind === "query-key" || candidate.kind === "body-key") return judgeName(candidate);
    // A Referer or a cookie value holding `; path=` is the browser's business, not a planted cookie.
    if (candidate.kind !== "query" && candidate.kind !== "body") return undefined;
    if ((classesOf(candidate) & SETTER_CLASSES) === 0) return undefined;
    const setter = findCookieSetter(candidate.canonical);
    if (!setter) return undefined;
    return finding(COOKIE_SETTER_SCORE, setter.label, around(candidate.canonical, setter.index, 60));
  },
};

function judgeName(candidate: Candidate): Finding | undefined {
  const name = lastSegment(candidate.canonical);
  const verdict = sessionCookieName(name);
  if (verdict === undefined) return undefined;
  // The scan reports cookie names as query keys too: a session cookie in the Cookie header is where it belongs. Asked
  // last, and of query keys only: a JSON key's location is spelled out when read (the whole path of keys above it,
  // copied for each key), which the walker defers until a finding needs it.
  if (candidate.kind === "query-key" && candidate.location.startsWith("cookie.")) return undefined;
  const score = verdict === "framework" ? FRAMEWORK_NAME_SCORE : GENERIC_NAME_SCORE;
  return finding(score, "session cookie name as parameter", name);
}

/** `user[PHPSESSID]` is read by PHP and qs as a nested `PHPSESSID`; a plain key is its own last segment. */
function lastSegment(key: string): string {
  if (!key.endsWith("]")) return key;
  const open = key.lastIndexOf("[");
  return open === -1 ? key : key.slice(open + 1, -1);
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "session-fixation", score, evidence: evidenceOf(label, excerpt) };
}
