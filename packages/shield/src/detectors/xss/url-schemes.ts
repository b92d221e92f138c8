/**
 * URL schemes that run script when a browser follows them. Browsers strip
 * ASCII tab and newline anywhere in a URL and leading C0 controls and spaces
 * (WHATWG URL Standard, "basic URL parser"), so `java\tscript:` and
 * `\x01javascript:` still execute; the check removes those first.
 */

const SCRIPT_SCHEMES = ["javascript:", "vbscript:", "livescript:", "mocha:"];
/** `data:` URLs that render as a document (and so run its scripts) when navigated to or framed. */
const DOCUMENT_DATA_TYPES = [
  "data:text/html",
  "data:image/svg",
  "data:application/xhtml+xml",
  "data:text/xml",
  "data:application/x-javascript",
  "data:text/javascript",
  "data:application/javascript",
  "data:application/ecmascript",
  "data:text/ecmascript",
];
const RUNNING_PREFIXES = [...SCRIPT_SCHEMES, ...DOCUMENT_DATA_TYPES];

/** Lower-cases and drops C0 controls and spaces, which browsers ignore inside a scheme. */
function compact(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) continue;
    out += value[i];
  }
  return out.toLowerCase();
}

export interface SchemeHit {
  readonly scheme: string;
  /**
   * Script follows the scheme (a call, an assignment, an escape), not just
   * prose after a colon; or the scheme itself was split by tabs or newlines,
   * which only an evasion does ("java\tscript:").
   */
  readonly withCode: boolean;
}

/** Where a URL starts in an attribute or a CSS `url(`: the scheme must sit right after one of these. */
function startsUrl(previous: string | undefined): boolean {
  return (
    previous === undefined ||
    previous === "=" ||
    previous === '"' ||
    previous === "'" ||
    previous === "`" ||
    previous === "(" ||
    previous === ">" ||
    previous === "["
  );
}

const CODE_HINT = /[(`=;.\\[%&]|\/\//;

/** Tab, newline, carriage return: what browsers strip inside a URL, so what splits a scheme in an evasion. */
const URL_STRIPPED = /[\t\n\r]/;

/** The scheme is only there once the browser strips tabs and newlines: `java&Tab;script:`, `vb&NewLine;script:`. */
function isSplitScheme(value: string, scheme: string): boolean {
  return URL_STRIPPED.test(value) && !value.toLowerCase().includes(scheme);
}

/**
 * `javascript:name` (the page becomes window.name, which the attacker set), `vbscript:msgbox`: the whole value is
 * one URL, the scheme and a token with no space, so a link the app renders from it runs that token. Prose after a
 * colon has spaces ("javascript: the good parts").
 */
function isWholeUrl(value: string, at: number): boolean {
  if (at !== 0) return false;
  const trimmed = value.trim();
  const colon = trimmed.indexOf(":");
  return colon !== -1 && colon < trimmed.length - 1 && !/\s/.test(trimmed);
}

/**
 * `data:,<svg onload=…>`, `data:;charset=x,<script>`: a data URL whose body
 * is markup. Without a media type a browser shows it as text, but the same
 * value in `<object data>`, an old engine or a sniffing download renders it;
 * no legitimate field sends a data URL of HTML. Matched on the compacted text
 * (spaces dropped) with RFC 2397's shape: an optional `type/subtype`,
 * optional `;parameters`, the comma, then a tag.
 */
const MARKUP_DATA_URL = /^data:(?:[a-z0-9.+-]{1,40}\/[a-z0-9.+-]{1,40})?(?:;[a-z0-9.+=;-]{0,60})?,<[a-z!/?]/;

/**
 * A script-running URL in `value`: at the start of the value (a link the app
 * will render) or right after `=`, a quote or `(` (inside injected markup or CSS).
 * `atStart` for an attribute's own value, which the browser follows from its
 * first character: `?logo=data:image/svg…` in a badge URL's query is data.
 */
export function findScriptUrl(value: string, atStart = false): SchemeHit | undefined {
  if (!value.includes(":")) return undefined;
  const text = compact(value);
  for (const scheme of RUNNING_PREFIXES) {
    let at = text.indexOf(scheme);
    while (at !== -1) {
      if (atStart ? at === 0 : startsUrl(text[at - 1])) {
        const rest = text.slice(at + scheme.length, at + scheme.length + 200);
        const isData = scheme.startsWith("data:");
        return { scheme, withCode: isData || CODE_HINT.test(rest) || isSplitScheme(value, scheme) || isWholeUrl(value, at) };
      }
      at = text.indexOf(scheme, at + 1);
    }
  }
  let data = text.indexOf("data:");
  while (data !== -1) {
    if ((atStart ? data === 0 : startsUrl(text[data - 1])) && MARKUP_DATA_URL.test(text.slice(data, data + 80)))
      return { scheme: "data: with markup", withCode: true };
    data = text.indexOf("data:", data + 1);
  }
  return undefined;
}
