/**
 * JavaScript that only an attacker sends in a parameter: calls to the dialog
 * and evaluation sinks used to prove and exploit XSS, and the gadgets used to
 * reach them without naming them. Matched on a copy of the value with JS
 * string escapes (`\u0061lert`, `\x61lert`, `\u{61}lert`) decoded, because a
 * JS parser decodes them in identifiers and strings.
 */

/**
 * `alert(1)`, `alert`1``, `alert /**\/ (1)`, `eval(…)`, `setTimeout("…")`.
 * Each quantifier applies to a single character class, so matching is linear.
 */
const SINK_CALL =
  /\b(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|msgbox|fromcharcode|atob|importscripts)\s*(?:\/\*[^*]*\*\/\s*)?(?:\((?!$)|`)/i;
/** Reaching into the DOM's secrets or navigation: what a real exploit does after proving the bug. */
const DOM_GADGET =
  /\b(?:document\s*\.\s*(?:cookie|domain|write|writeln|location)|window\s*\.\s*(?:location|name|open)|location\s*\.\s*(?:href|hash|replace|assign)|\.innerhtml\s*=|\.outerhtml\s*=|\.src\s*=|new\s+function\b|\.constructor\s*\(|constructor\.constructor)/i;
/** `top['al'+'ert'](1)`, `window["alert"](1)`, `self[…]`: a sink named by a computed property. */
const COMPUTED_GLOBAL = /\b(?:window|top|self|parent|frames|globalthis|this|document)\s*\[\s*['"`(\w]/i;
/** `alert?.(1)`, `(alert)(1)`, `[1].find(alert)`, `throw onerror=alert`: sinks passed or called indirectly. */
const INDIRECT_SINK =
  /(?:\(\s*(?:alert|prompt|confirm|eval)\s*\)|\b(?:alert|prompt|confirm|eval)\s*\?\.|=\s*(?:alert|prompt|confirm|eval)\b)/i;

/** Closes a JS string or statement and continues with code: `';…`, `"-…`, `'+…`, `</script>`. */
const JS_BREAKOUT = /['"`]\s*(?:[;,)}+\-*/|&^]|\)\s*;)|<\/script/i;

const ESCAPE = /\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})|\\x([0-9a-f]{2})/gi;

/** Decodes JS escapes, which a JS parser resolves before it sees the identifier. */
export function decodeJsEscapes(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(ESCAPE, (match, braced: string | undefined, four: string | undefined, two: string | undefined) => {
    const code = Number.parseInt(braced ?? four ?? two ?? "", 16);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

export interface ScriptHit {
  readonly what: string;
  readonly index: number;
  readonly brokeOut: boolean;
}

export function findScriptSink(value: string): ScriptHit | undefined {
  const code = decodeJsEscapes(value);
  const brokeOut = JS_BREAKOUT.test(code);
  for (const [what, pattern] of [
    ["sink call", SINK_CALL],
    ["DOM access", DOM_GADGET],
    ["computed global", COMPUTED_GLOBAL],
    ["indirect sink", INDIRECT_SINK],
  ] as const) {
    const match = pattern.exec(code);
    if (match !== null) return { what, index: match.index, brokeOut };
  }
  return undefined;
}
