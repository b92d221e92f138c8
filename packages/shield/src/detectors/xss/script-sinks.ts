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
/** `top['al'+'ert'](1)`, `window["alert"](1)`, `(document)["cookie"]`: a sink named by a computed property. */
const COMPUTED_GLOBAL = /\b(?:window|top|self|parent|frames|globalthis|this|document)\s*\)?\s*\[\s*['"`(\w]/i;
/**
 * Gadgets that reach a sink without naming it: tagged-template calls
 * (`[].sort.call`${alert}``), `Reflect.apply`, `navigation.navigate`, DOM
 * construction, script loading, dynamic `import("…")`.
 */
const CODE_GADGET =
  /\.\s*(?:call|apply)\s*`|\$\{\s*(?:alert|prompt|confirm|eval|document|window|top|self)\b|\breflect\s*\.\s*(?:apply|construct)\b|\bnavigation\s*\.\s*navigate\b|\b(?:createelement|appendchild|insertadjacenthtml|getscript)\s*\(|\bimport\s*\(\s*["'`]|\bimport\s*\{[^}]{0,200}\}\s*from\s*["'`]/i;
/** `scriptalert(1)/script`: a script element whose angle brackets a filter (or a lossy decoder) removed. */
const TAG_STRIPPED_SCRIPT = /script\s*(?:(?:alert|prompt|confirm|eval)\s*\(|document\s*\.|window\s*\.)/i;
/** `location="//evil.example"`, `location='javascript:…'`: navigating the page away is the exploit. */
const LOCATION_ASSIGNMENT = /(?:^|[^\w.$])location\s*=\s*["'`]?\s*(?:[a-z][a-z0-9+.-]{0,20}:|\/\/)/i;
/**
 * A function definition, a C-style loop or a jQuery call chain: `function f(a){`,
 * `for (i=0;i<9;i++) {`, `$("a.x").click(`.
 * Code, not prose, but code snippets are sometimes posted legitimately: weaker evidence.
 */
const JS_DEFINITION =
  /\bfunction\s*[\w$]*\s*\([\w$,\s]{0,80}\)\s*\{|\bfor\s*\([^;()]{0,80};[^;()]{0,80};[^;()]{0,80}\)\s*\{|\$\s*\(\s*["'`][^"'`]{0,80}["'`]\s*\)\s*\.\s*[a-z]+\s*\(/i;
/** JSFuck and friends write any program with `[]()!+` alone; `![]` and `+[]` are its atoms. */
const JSFUCK_RUN = /[[\]()!+]{4,}/g;
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

/**
 * Removes `/* … *\/` comments, which JS reads as whitespace: `document/**\/.cookie`.
 * Linear: one indexOf scan per comment.
 */
export function stripJsComments(value: string): string {
  let open = value.indexOf("/*");
  if (open === -1) return value;
  let out = "";
  let from = 0;
  while (open !== -1) {
    const close = value.indexOf("*/", open + 2);
    if (close === -1) break;
    out += `${value.slice(from, open)} `;
    from = close + 2;
    open = value.indexOf("/*", from);
  }
  return out + value.slice(from);
}

export interface ScriptHit {
  readonly what: string;
  readonly index: number;
  readonly brokeOut: boolean;
  /** Score before the breakout bonus. */
  readonly score: number;
}

const PATTERNS: readonly (readonly [string, RegExp, number])[] = [
  ["sink call", SINK_CALL, 0.8],
  ["DOM access", DOM_GADGET, 0.8],
  ["computed global", COMPUTED_GLOBAL, 0.8],
  ["indirect sink", INDIRECT_SINK, 0.8],
  ["script gadget", CODE_GADGET, 0.8],
  ["tag-stripped script", TAG_STRIPPED_SCRIPT, 0.8],
  ["location assignment", LOCATION_ASSIGNMENT, 0.75],
  ["function definition or jQuery call", JS_DEFINITION, 0.7],
];

function findJsFuck(code: string): number {
  JSFUCK_RUN.lastIndex = 0;
  for (let match = JSFUCK_RUN.exec(code); match !== null; match = JSFUCK_RUN.exec(code)) {
    if (match[0].includes("![]") || match[0].includes("+[]")) return match.index;
  }
  return -1;
}

export function findScriptSink(value: string): ScriptHit | undefined {
  const code = stripJsComments(decodeJsEscapes(value));
  const brokeOut = JS_BREAKOUT.test(code);
  for (const [what, pattern, score] of PATTERNS) {
    const match = pattern.exec(code);
    if (match !== null) return { what, index: match.index, brokeOut, score };
  }
  const jsFuck = findJsFuck(code);
  if (jsFuck !== -1) return { what: "JSFuck-style code", index: jsFuck, brokeOut, score: 0.8 };
  return undefined;
}
