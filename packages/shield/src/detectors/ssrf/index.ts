/**
 * Server-side request forgery: a URL-valued input that points the server at
 * itself, its private network or the cloud metadata service. Hosts are
 * decoded the way HTTP clients decode them (see host.ts), so numeric,
 * octal, hex and IPv4-mapped IPv6 spellings are caught.
 */
import { percentDecodeRounds } from "../../canonicalize.js";
import { COLON, classesOf, SLASH } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import { higherScore } from "../score.js";
import type { Candidate, Detector, Finding } from "../types.js";
import { classifyHost, classifyServiceAlias, isObfuscatedIp, type TargetKind } from "./host.js";

/**
 * `scheme://authority`. Special schemes (http, https, ftp, ws) are also
 * accepted with fewer slashes (`http:127.0.0.1`), as WHATWG URL parsers do.
 */
const URL_START = /\b([a-z][a-z0-9+.-]{0,15}):([/\\]{0,4})/g;
const SPECIAL_SCHEMES = new Set(["http", "https", "ftp", "ws", "wss", "file"]);

/** Schemes that let an attacker speak raw protocols to internal services (Redis over gopher://, memcached over dict://). */
const SMUGGLING_SCHEMES = new Set(["gopher", "dict", "tftp", "ldap", "ldaps", "sftp", "jar", "netdoc", "expect", "local_file"]);

/** Parameter names that usually carry a URL or host; a bare host in them is a target. */
const URL_PARAM =
  /(?:url|uri|link|href|src|dest|redirect|target|host|domain|callback|webhook|feed|proxy|endpoint|site|server|image|img|fetch|load|path)/i;

const SCORES: Readonly<Record<TargetKind, number>> = {
  metadata: 0.97,
  loopback: 0.92,
  "link-local": 0.9,
  private: 0.85,
  unspecified: 0.85,
};

export const ssrfDetector: Detector = {
  class: "ssrf",
  detect(candidate: Candidate): Finding | undefined {
    // Referer and Origin point at localhost in every developer's browser; they are not fetched by the server.
    if (candidate.kind === "header" || candidate.kind === "path") return undefined;
    const canonical = candidate.canonical;
    if ((classesOf(candidate) & (COLON | SLASH)) === 0 && !parameterSuggestsUrl(candidate.name)) return bareServiceAlias(canonical);
    const value = withAsciiDots(canonical.trim().toLowerCase());
    let best = findUrlTargets(value, 0);
    if (best !== undefined && best.score < SCORES.metadata && isProse(value)) best = { ...best, score: PROSE_SCORE };
    if (best !== undefined && isBrowserRedirect(candidate.name, value)) best = { ...best, score: BROWSER_REDIRECT_SCORE };
    if (!best && (value.startsWith("//") || parameterSuggestsUrl(candidate.name))) {
      const host = hostOf(value, value.startsWith("//") ? 2 : 0);
      const kind = classifyHost(host);
      if (kind) best = finding(SCORES[kind] - 0.05, `${kind} target`, host);
      // `//evil.com#@127.0.0.1/`: a scheme-relative URL confuses parsers as a full one does.
      const confused = kind || !value.startsWith("//") ? undefined : confusedTarget(value, 2);
      if (confused) best = finding(SCORES[confused.kind] - 0.07, `parser-confusion ${confused.kind} target`, value.slice(0, 80));
    }
    if (!best) {
      const truncated = nulTruncatedView(candidate.raw);
      if (truncated !== undefined) best = findUrlTargets(truncated, 0.02, "NUL-truncated ");
    }
    return best;
  },
};

/**
 * "Open http://localhost:3000 in your browser": a URL inside a sentence is
 * text a person wrote, not a target the app was handed to fetch. It blocks
 * at high sensitivity only (a link-preview fetcher is the exception); the
 * metadata endpoint keeps its score wherever it appears.
 */
const PROSE_SCORE = 0.6;
const MIN_PROSE_WORDS = 3;

/**
 * The value opens with a word and has three or more whitespace-separated tokens made of letters alone (with
 * trailing punctuation): a sentence. A value that opens with the URL (`gopher://…/_set x` with the Redis commands
 * decoded into words) is a target with a payload, not a sentence.
 */
function isProse(value: string): boolean {
  const tokens = value.split(/\s+/, 64);
  if (!PROSE_WORD.test(tokens[0] ?? "") && !PROSE_OPENER.test(tokens[0] ?? "")) return false;
  let words = 0;
  for (const token of tokens) {
    if (PROSE_WORD.test(token) && ++words >= MIN_PROSE_WORDS) return true;
  }
  return false;
}

/** A word of letters, maybe contracted ("it's", "don't", "we're"), with trailing punctuation. */
const PROSE_WORD = /^[a-z]{2,}(?:'[a-z]{1,2})?[,.:;!?]?$/;
/** "I set the proxy to http://10.1.2.3:3128", "I'm on http://localhost:3000": a sentence opens with "I" or "a" too. */
const PROSE_OPENER = /^(?:i|a)(?:'[a-z]{1,2})?,?$/;

/**
 * Where the browser goes next, not what the server fetches: OAuth's `redirect_uri` (RFC 8252 §7.3 sends native
 * apps' logins to `http://127.0.0.1:{port}/`, and every developer's to `http://localhost:3000/callback`), a login's
 * `returnTo` or `next`. A plain http(s) URL to a loopback or private host there reaches the user's own machine. Written
 * any other way (an encoded IP, credentials, a backslash, a second URL) it is still judged as a target, and so is the
 * metadata address. Webhook and callback URLs, which servers do fetch, are not in this list; Auth.js's
 * `next-auth.callback-url` cookie is, being where it sends the browser after sign-in (in development,
 * `http://localhost:3000/`, sent with every request once a developer has signed in).
 */
const BROWSER_REDIRECT_PARAM =
  /^(?:redirect(?:_?ur[il]|_?to)?|post_?logout_?redirect_?ur[il]|return_?(?:to|ur[il])|next|continue|success_?url|cancel_?url|back_?url|(?:__secure-)?(?:next-auth|authjs)\.callback-url)$/i;
const PLAIN_LOCAL_URL = /^https?:\/\/[a-z0-9.[\]:-]{1,80}(?:[/?#][^\s@\\]*)?$/;
const BROWSER_REDIRECT_SCORE = 0.6;

function isBrowserRedirect(name: string | undefined, value: string): boolean {
  if (name === undefined || !BROWSER_REDIRECT_PARAM.test(name) || !PLAIN_LOCAL_URL.test(value)) return false;
  if (value.indexOf("://", 8) !== -1) return false;
  const host = hostOf(value, value.indexOf("://") + 3);
  const kind = classifyHost(host);
  // `[::1]` is how RFC 8252 writes the IPv6 loopback; other bracketed or numeric spellings get past filters.
  return (kind === "loopback" || kind === "private") && (host === "[::1]" || !isObfuscatedIp(host));
}

/**
 * `127。0。0。1`: IDNA (UTS #46) maps the ideographic full stop to a dot, so
 * WHATWG URL parsers and browsers read it as 127.0.0.1. (NFKC, which the
 * canonical form applies, already folds the full-width `．` and half-width `｡`.)
 */
function withAsciiDots(value: string): string {
  return value.indexOf("\u3002") === -1 ? value : value.replaceAll("\u3002", ".");
}

/**
 * Every `scheme://authority` in `value` whose host (or, for a parser that
 * reads it differently, one of its hosts) is internal; the strongest finding.
 * `discount` and `reading` mark a finding made on a view of the value that
 * only some parsers share.
 */
function findUrlTargets(value: string, discount: number, reading = ""): Finding | undefined {
  let best: Finding | undefined;
  URL_START.lastIndex = 0;
  for (let match = URL_START.exec(value); match !== null; match = URL_START.exec(value)) {
    const scheme = match[1] as string;
    const slashes = match[2] ?? "";
    // WHATWG skips any run of `/` and `\` after a special scheme (`http:/\/\127.0.0.1` is http://127.0.0.1); other
    // schemes need `//` to have an authority.
    if (slashes !== "//" && slashes !== "\\\\" && !SPECIAL_SCHEMES.has(scheme)) continue;
    const authorityStart = match.index + match[0].length;
    const host = hostOf(value, authorityStart);
    const kind = classifyHost(host);
    if (kind) best = higherScore(best, finding(SCORES[kind] - discount, `${reading}${kind} target`, `${scheme}://${host}`));
    const confused = kind ? undefined : confusedTarget(value, authorityStart);
    if (confused)
      best = higherScore(
        best,
        finding(
          SCORES[confused.kind] - 0.02 - discount,
          `${reading}parser-confusion ${confused.kind} target`,
          value.slice(match.index, match.index + 80),
        ),
      );
    // Nobody links to `http://2852039166/` or `http://[a::b]/` except to get past a host filter.
    else if (isObfuscatedIp(host)) best = higherScore(best, finding(0.8, "encoded IP literal", `${scheme}://${host}`));
    else if (SMUGGLING_SCHEMES.has(scheme) && slashes === "//")
      best = higherScore(best, finding(0.8, "protocol-smuggling scheme", match[0]));
    if ((best?.score ?? 0) >= 0.97) return best;
  }
  return best;
}

/**
 * The value as a C-string parser reads it: cut at the first NUL. The
 * canonical form removes NULs (they hide file extensions from filters), which
 * joins `http://127.0.0.1%00.example.com` into one unknown host; a validator
 * that checks the `.example.com` suffix and a fetcher that stops at the NUL
 * disagree, and the fetcher goes to 127.0.0.1. The NUL becomes a `/`, which
 * ends the authority. Undefined when the value holds no NUL.
 */
function nulTruncatedView(raw: string): string | undefined {
  if (raw.indexOf("%") === -1 && raw.indexOf("\0") === -1) return undefined;
  const decoded = percentDecodeRounds(raw);
  if (decoded.indexOf("\0") === -1) return undefined;
  return decoded.replaceAll("\0", "/").trim().toLowerCase();
}

/**
 * Parameter names repeat (every record of a JSON array has the same keys), so
 * the verdict on each is remembered. Bounded: emptied when full, so a client
 * sending random names costs only misses.
 */
const URL_PARAM_VERDICTS = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 512;

/**
 * Whether a letters-and-digits value may be a host under a URL-like name
 * (the scan asks before handing such values here): a word (`localhost`), hex
 * (`0x7f000001`), or a number that is an address past 0.x.x.x in decimal or
 * octal (`2130706433` is 127.0.0.1) under a name that holds nothing but a
 * URL or host. `image=42` or `site=170000000` is an id, not a target.
 */
export function mayBeInertTarget(candidate: Candidate): boolean {
  if (!parameterSuggestsUrl(candidate.name)) return false;
  const value = candidate.canonical;
  if (!ALL_DIGITS.test(value)) return true;
  return value.length <= 16 && Number(value) >= FIRST_ADDRESS_PAST_ZERO_NET && HOST_ONLY_PARAM.test(candidate.name ?? "");
}

const ALL_DIGITS = /^\d+$/;
/** 1.0.0.0 as a number: below it, 0.x.x.x, which no one fetches. */
const FIRST_ADDRESS_PAST_ZERO_NET = 2 ** 24;
/** Names that carry a URL or a host and nothing else (not `image`, `site` or `path`, which also name ids). */
const HOST_ONLY_PARAM = /url|uri|host|domain|href|src|dest|redirect|target|callback|webhook|proxy|endpoint|fetch|link/i;

/**
 * The last name asked about and its verdict: the sink and this detector ask
 * twice per value, and the values of an array of records come under the same
 * few names, so most questions repeat the previous one (one comparison, no
 * map lookup).
 */
let lastName: string | undefined;
let lastVerdict = false;

/** Whether a parameter of this name usually carries a URL or host (`url`, `callback`, `imageSrc`). */
export function parameterSuggestsUrl(name: string | undefined): boolean {
  if (name === lastName) return lastVerdict;
  if (name === undefined || name.length > 40) return false;
  let verdict = URL_PARAM_VERDICTS.get(name);
  if (verdict === undefined) {
    verdict = URL_PARAM.test(name);
    if (URL_PARAM_VERDICTS.size >= MAX_REMEMBERED_NAMES) URL_PARAM_VERDICTS.clear();
    URL_PARAM_VERDICTS.set(name, verdict);
  }
  lastName = name;
  lastVerdict = verdict;
  return verdict;
}

/** A whole value of host name characters: a bare host, as a form that builds the URL itself asks for. */
const BARE_HOST = /^\s*[a-z0-9][a-z0-9.-]{2,252}\s*$/i;

/** `127.0.0.1.nip.io` given alone, in any parameter: see classifyServiceAlias. */
function bareServiceAlias(canonical: string): Finding | undefined {
  // Most values have no dot, are too long for a host name or hold other characters: they leave before any copy.
  if (canonical.length > 260 || canonical.indexOf(".") === -1 || !BARE_HOST.test(canonical)) return undefined;
  const value = canonical.trim().toLowerCase();
  const kind = classifyServiceAlias(value);
  return kind === undefined ? undefined : finding(SCORES[kind] - 0.05, `${kind} target by a DNS alias`, value);
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "ssrf", score, evidence: evidenceOf(label, excerpt) };
}

/** The host of an authority starting at `start`: userinfo (`user@`) and port dropped, IPv6 brackets kept. */
export function hostOf(value: string, start: number): string {
  let end = start;
  while (end < value.length && end - start < 300) {
    const c = value.charCodeAt(end);
    // Authority ends at / ? # (RFC 3986 §3.2), or \ (WHATWG treats it as /), whitespace or a quote.
    if (c === 47 || c === 63 || c === 35 || c === 92 || c <= 32 || c === 34 || c === 39) break;
    end++;
  }
  let authority = value.slice(start, end);
  const at = authority.lastIndexOf("@");
  if (at !== -1) authority = authority.slice(at + 1);
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    return close === -1 ? authority : authority.slice(0, close + 1);
  }
  const colon = authority.indexOf(":");
  if (colon !== -1 && authority.indexOf(":", colon + 1) === -1) authority = authority.slice(0, colon);
  return authority;
}

/**
 * Hosts another URL parser may read where WHATWG reads a different one
 * (Orange Tsai, "A New Era of SSRF", 2017): with several `@`
 * (`http://a@127.0.0.1@evil.example`) some clients take the first, and
 * parsers that end the authority only at `/` read `http://evil#@127.0.0.1`
 * (or, with spaces, `http://evil &@evil# @127.0.0.1`) as 127.0.0.1. A validator and a fetcher that disagree is the attack, so an
 * internal host in any of these readings counts.
 */
function confusedTarget(value: string, start: number): { kind: TargetKind } | undefined {
  let end = start;
  let strictEnd = -1;
  while (end < value.length && end - start < 300) {
    const c = value.charCodeAt(end);
    if (c === 47 || c < 32 || c === 34 || c === 39) break;
    if (c === 32 && strictEnd === -1) strictEnd = end;
    end++;
  }
  const extended = value.slice(start, end);
  if (extended.indexOf("@") === -1) return undefined;
  // Without spaces, every `@` starts a reading. Past a space only after a `#`: parsers that keep spaces and `#` in
  // the authority read `http://evil &@evil# @127.0.0.1` as 127.0.0.1 (Orange Tsai's three Python clients), while
  // prose that names a URL and later an address (`see http://x.com, mail a@10.0.0.1`) has no `#` between.
  const strictLength = strictEnd === -1 ? extended.length : strictEnd - start;
  const fragmentAt = extended.indexOf("#");
  const segments = extended.split("@", 8);
  let offset = (segments[0] as string).length + 1;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const inStrict = offset <= strictLength;
    const afterFragment = fragmentAt !== -1 && fragmentAt < offset;
    if (inStrict || afterFragment) {
      const kind = classifyHost(hostOf(segment, 0));
      if (kind) return { kind };
    }
    offset += segment.length + 1;
  }
  return undefined;
}
