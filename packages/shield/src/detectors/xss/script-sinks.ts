/**
 * JavaScript that only an attacker sends in a parameter: calls to the dialog
 * and evaluation sinks used to prove and exploit XSS, and the gadgets used to
 * reach them without naming them. Matched on a copy of the value with JS
 * string escapes (`\u0061lert`, `\x61lert`, `\u{61}lert`) decoded, because a
 * JS parser decodes them in identifiers and strings.
 */

/**
 * `alert(1)`, `alert`1``, `alert /**\/ (1)`, `eval(…)`, `setTimeout("…")`; `fetch(…)`, which
 * sends what a payload steals, and `console.log(…)`, a script's first probe.
 * Each quantifier applies to a single character class, so matching is linear.
 */
const SINK_CALL =
  /\b(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|msgbox|fromcharcode|atob|btoa|importscripts|fetch|console\s*\.\s*(?:log|dir))\s*(?:\/\*[^*]*\*\/\s*)?(?:\((?!$)|`)/i;
/**
 * "Please confirm (yes/no)", "prompt (engineering) tips": a sink's name, a
 * space, then words in parentheses is prose. Payloads pass a number, a
 * string, an expression or nothing; a space before a bare word is rare.
 */
const PROSE_AFTER_SINK_NAME = /^[a-z]+\s+\(\s*[a-z][a-z\s/-]*\)/i;
/**
 * "it fails in eval() on line 3", "fetch() returns a promise": prose names a function by its empty parentheses and
 * goes on with words. A payload's call passes what it shows or runs, or ends the statement (`alert();`, `alert()//`).
 */
const EMPTY_CALL_THEN_WORDS = /^\)\s+[a-z]{2,}\s+[a-z]/i;
/**
 * Reaching into the DOM's secrets or navigation: what a real exploit does
 * after proving the bug. Another window's location (`top.`, `opener.`) only
 * counts when it is set or followed; web storage holds the session tokens.
 * A property write (`.src=`, `.innerHTML=`) may follow a call or a bracket,
 * `new Image().src=`, so it needs no word boundary before its dot. Finding an
 * element (`document.querySelector(…)`) or climbing to its parent
 * (`x.parentNode.removeChild(x)`) is how a payload rewrites the page.
 */
const DOM_GADGET =
  /\b(?:document\s*\.\s*(?:cookie|domain|write|writeln|location)|window\s*\.\s*(?:location|name|open)|location\s*\.\s*(?:href|hash|replace|assign)|(?:top|parent|opener|self)\s*\.\s*location\s*(?:=(?!=)|\.\s*(?:href|replace|assign)\b)|(?:localstorage|sessionstorage)\s*(?:\.\s*(?:getitem|setitem|removeitem|key)\s*\(|\[)|new\s+function\b|constructor\.constructor|document\s*\.\s*queryselector(?:all)?\s*\()|\.\s*(?:innerhtml|outerhtml|src)\s*=(?!=)|\.constructor\s*\(|\.parentnode\.[a-z]/i;
/**
 * `Function('alert(1)')()`, `Function(name)()`, ``Function`…` ``: the
 * constructor that compiles a string, capitalised as only JS spells it.
 * Case-sensitive on purpose: "function (x)" in prose is not this.
 */
const FUNCTION_CONSTRUCTOR = /\bFunction(?:\(\s*[\w$"'`]|`)/;
/**
 * `"in valueOf=alert`, `'-toString=eval`: a JS string closed and a global
 * conversion hook assigned, so the next implicit conversion calls the sink
 * (an IE XSS filter bypass that needs no parentheses). Bounded gap: linear.
 */
const CONVERSION_HOOK = /['"`]\s*(?:in\b|[-+*/%|&^,;)])[^'"`=]{0,40}\b(?:valueof|tostring)\s*=(?!=)/i;
/**
 * `alert(0);'>`, `write(1)">`, `write(1) autofocus>`: a call, then the quote
 * (or the `autofocus`/`open` that fires a handler unprompted) and the `>`
 * that close an event-handler attribute and its tag: an injected handler's tail.
 * Found from its `)`, which a regex scan finds fast; the call before it is
 * then checked within a bounded window.
 */
const HANDLER_TAIL_CLOSE = /\)(?:\s*;)?(?:\s*["'`]|\s+(?:autofocus|open)\b)\s*\/?>/gi;
const CALL_BEFORE = /[\w$]\s{0,8}\([^()<>]{0,60}$/;

function findHandlerTail(code: string): number {
  HANDLER_TAIL_CLOSE.lastIndex = 0;
  for (let match = HANDLER_TAIL_CLOSE.exec(code); match !== null; match = HANDLER_TAIL_CLOSE.exec(code)) {
    if (CALL_BEFORE.test(code.slice(Math.max(0, match.index - 72), match.index))) return match.index;
  }
  return -1;
}
/**
 * `top['al'+'ert'](1)`, `window["alert"](1)`, `(document)["cookie"]`,
 * `top[/al/.source+/ert/.source](1)`, `top[8680439..toString(30)](1)`: a sink
 * named by a computed property, the name built from strings, calls, a regex
 * literal's `.source` or an expression. BBCode puts brackets after words too
 * (`this[b]bold[/b]`, `this[/url]`): a regex must be read to its `.source`,
 * and a name that opens with a letter or digit must be called.
 */
const COMPUTED_GLOBAL =
  /\b(?:window|top|self|parent|frames|globalthis|this|document)\s*(?:\)\s*)?\[\s*(?:['"`(]|\/[^/\]\n]{1,40}\/[a-z]{0,6}\s*\.\s*source\b|[\w$][^\]\n]{0,80}\]\s*[(`])/i;
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
const LOCATION_ASSIGNMENT = /(?:^|[^\w.$])location\s*=\s*(?:["'`]\s*)?(?:[a-z][a-z0-9+.-]{0,20}:|\/\/)/i;
/**
 * A function definition, a C-style loop or a jQuery call chain: `function f(a){`,
 * `for (i=0;i<9;i++) {`, `$("a.x").click(`.
 * Code, not prose, but code snippets are sometimes posted legitimately: weaker evidence.
 */
const JS_DEFINITION =
  /\bfunction(?:\s*[\w$]+)?\s*\([\w$,\s]{0,80}\)\s*\{|\bfor\s*\([^;()]{0,80};[^;()]{0,80};[^;()]{0,80}\)\s*\{|\$\s*\(\s*["'`][^"'`]{0,80}["'`]\s*\)\s*\.\s*[a-z]+\s*\(/i;
/** JSFuck and friends write any program with `[]()!+` alone; `![]` and `+[]` are its atoms. */
const JSFUCK_RUN = /[[\]()!+]{4,}/g;
/**
 * `alert?.(1)`, `(alert)(1)`, `[1].find(alert)`, `throw onerror=alert`, `(0,eval)('…')`: sinks passed or called
 * indirectly (the comma operator yields the bare function, called without its object).
 */
const INDIRECT_SINK =
  /(?:\(\s*(?:alert|prompt|confirm|eval)\s*\)|\b(?:alert|prompt|confirm|eval)\s*\?\.|=\s*(?:alert|prompt|confirm|eval)\b|,\s*(?:alert|prompt|confirm|eval)\s*\)\s*[(`])/i;

/** Closes a JS string or statement and continues with code: `';…`, `"-…`, `'+…`, `</script>`. */
const JS_BREAKOUT = /['"`]\s*(?:[;,)}+\-*/|&^]|\)\s*;)|<\/script/i;

/**
 * `\u{61}`, `\u0061`, `\x61`; legacy octal (`\141`, `\74`: sloppy-mode strings
 * still decode them); and a backslash before a letter with no escape meaning
 * (`javas\cript`, `al\ert`), which JS drops. `\b \f \n \r \t \v` stay: they
 * are control characters, not the letter. One alternative per escape kind,
 * each a bounded run: linear.
 */
const ESCAPE = /\\u\{([0-9a-f]{1,6})\}|\\u([0-9a-f]{4})|\\x([0-9a-f]{2})|\\([0-3][0-7]{0,2}|[4-7][0-7]?)|\\([ac-eg-mo-qswyz])/gi;

/** Decodes JS escapes, which a JS parser resolves in strings and template literals (and `\u` in identifiers). */
export function decodeJsEscapes(value: string): string {
  if (!value.includes("\\")) return value;
  return value.replace(
    ESCAPE,
    (
      match,
      braced: string | undefined,
      four: string | undefined,
      two: string | undefined,
      octal: string | undefined,
      letter: string | undefined,
    ) => {
      if (letter !== undefined) return letter;
      const code = octal !== undefined ? Number.parseInt(octal, 8) : Number.parseInt(braced ?? four ?? two ?? "", 16);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    },
  );
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

/**
 * The start of a value that leaves the JS string it was reflected into:
 * the quote (maybe escaped, `\'`, against a filter that adds a backslash),
 * then what closes the call, array or object around the string (`')`,
 * `"}]`), then a separator that starts the next expression or statement.
 */
const STRING_EXIT = /^\s{0,8}\\?(['"`])\s{0,8}((?:[)\]}]\s{0,8}){0,6})([;,+\-*/|&^]?)\s{0,8}/;
/**
 * A call right after the exit: `fetch(`, `top.print(`, `new Image(`, `(0,alert)(`.
 * Bounded runs of single classes: linear.
 */
const CALL_START =
  /^(?:new\s{1,8})?[a-z_$][\w$]{0,40}(?:\s{0,8}\.\s{0,8}[a-z_$][\w$]{0,40}){0,6}\s{0,8}\(|^\(\s{0,8}0\s{0,8},\s{0,8}[\w$.]{1,60}\s{0,8}\)\s{0,8}\(/i;
/**
 * After `';`: an assignment to a property path (`x.y.z=`) or to a global the browser acts on (`location=`,
 * `name=`, `onerror=`), not a comparison. Bounded runs of single classes: linear.
 */
const STATE_WRITE = /^(?:[a-z_$][\w$]{0,40}(?:\s{0,8}\.\s{0,8}[a-z_$][\w$]{0,40}){1,6}|location|name|on[a-z]{3,30})\s{0,8}=(?!=)/i;
/** How far a call's arguments may run before its `)`: a payload's are short. */
const MAX_ARGUMENTS = 200;

/**
 * `';fetch('//x')//`, `"}];navigator.sendBeacon(…)//`, `'-(0,alert)(1)-'`,
 * `'}print();{'`: the value leaves a JS string and calls a function, then
 * disposes of the rest of the line, with a `//` comment or by reopening the
 * string it left; or it ends the statement and writes state (see
 * STATE_WRITE). Any function: the names a filter lists are the ones a
 * payload avoids. Prose does not open with a quote, a `;` and a call that
 * ends the way a script line does.
 */
export function findStringBreakoutCall(code: string): number {
  const exit = STRING_EXIT.exec(code);
  if (exit === null) return -1;
  const [whole, quote, closers, separator] = exit as unknown as [string, string, string, string];
  if (closers === "" && separator === "") return -1;
  const next = code.slice(whole.length, whole.length + 120);
  // `';document.body.innerHTML='…`, `";location='//evil.example`: a statement of its own that writes the page's state.
  if (separator === ";" && STATE_WRITE.test(next)) return whole.length;
  const call = CALL_START.exec(next);
  if (call === null) return -1;
  const close = closingParen(code, whole.length + call[0].length);
  if (close === -1) return -1;
  const rest = code.slice(close + 1).trim();
  return disposesOfLine(rest, quote) ? whole.length : -1;
}

/** Index of the `)` that closes the parenthesis opened just before `from`, within a bound; -1 if none. */
function closingParen(code: string, from: number): number {
  let depth = 1;
  const limit = Math.min(code.length, from + MAX_ARGUMENTS);
  for (let i = from; i < limit; i++) {
    const char = code[i];
    if (char === "(") depth++;
    else if (char === ")" && --depth === 0) return i;
  }
  return -1;
}

/** After the call: a `//` comment, or the string reopened (`-'`, `;{'`, `+"`) for the page's own closing quote. */
function disposesOfLine(rest: string, quote: string): boolean {
  let i = 0;
  while (i < rest.length && (rest[i] === ";" || rest[i] === " " || rest[i] === "}" || rest[i] === "{")) i++;
  if (rest.startsWith("//", i) || rest.startsWith("<!--", i)) return true;
  const tail = rest.slice(i);
  return tail === quote || (tail.length === 2 && "+-*/|&^,".includes(tail[0] as string) && tail[1] === quote);
}

export interface ScriptHit {
  readonly what: string;
  readonly index: number;
  readonly brokeOut: boolean;
  /** Score before the breakout bonus. */
  readonly score: number;
}

const PATTERNS: readonly (readonly [string, RegExp, number])[] = [
  ["DOM access", DOM_GADGET, 0.8],
  ["computed global", COMPUTED_GLOBAL, 0.8],
  ["indirect sink", INDIRECT_SINK, 0.8],
  ["script gadget", CODE_GADGET, 0.8],
  ["tag-stripped script", TAG_STRIPPED_SCRIPT, 0.8],
  ["Function constructor", FUNCTION_CONSTRUCTOR, 0.8],
  ["conversion hook assignment", CONVERSION_HOOK, 0.8],
  ["location assignment", LOCATION_ASSIGNMENT, 0.75],
  ["function definition or jQuery call", JS_DEFINITION, 0.7],
];

/**
 * `![](https://…/a.png)` is a Markdown image with no alt text; in JSFuck `![]` is never called (`false()` throws), so
 * an atom followed by `(` is no atom.
 */
function findJsFuck(code: string): number {
  JSFUCK_RUN.lastIndex = 0;
  for (let match = JSFUCK_RUN.exec(code); match !== null; match = JSFUCK_RUN.exec(code)) {
    const run = match[0].includes("![](") ? match[0].replaceAll("![](", "") : match[0];
    if (run.includes("![]") || run.includes("+[]")) return match.index;
  }
  return -1;
}

/** A sink call; one that reads like prose (a space, then words in parentheses) scores below the default threshold. */
function findSinkCall(code: string, brokeOut: boolean): ScriptHit | undefined {
  const match = SINK_CALL.exec(code);
  if (match === null) return undefined;
  const prose =
    !brokeOut &&
    (PROSE_AFTER_SINK_NAME.test(code.slice(match.index, match.index + 120)) ||
      EMPTY_CALL_THEN_WORDS.test(code.slice(match.index + match[0].length, match.index + match[0].length + 40)));
  return { what: "sink call", index: match.index, brokeOut, score: prose ? 0.6 : 0.8 };
}

/** `window.location`, `document.cookie` alone: for values with no other code character. */
export function findDomAccess(value: string): ScriptHit | undefined {
  const match = DOM_GADGET.exec(value);
  return match === null ? undefined : { what: "DOM access", index: match.index, brokeOut: false, score: 0.8 };
}

export function findScriptSink(value: string): ScriptHit | undefined {
  const code = stripJsComments(decodeJsEscapes(value));
  const brokeOut = JS_BREAKOUT.test(code);
  const sinkCall = findSinkCall(code, brokeOut);
  if (sinkCall !== undefined && sinkCall.score >= 0.8) return sinkCall;
  for (const [what, pattern, score] of PATTERNS) {
    const match = pattern.exec(code);
    if (match !== null) return { what, index: match.index, brokeOut, score };
  }
  const breakoutCall = findStringBreakoutCall(code);
  if (breakoutCall !== -1) return { what: "call after leaving a JS string", index: breakoutCall, brokeOut: false, score: 0.8 };
  const jsFuck = findJsFuck(code);
  if (jsFuck !== -1) return { what: "JSFuck-style code", index: jsFuck, brokeOut, score: 0.8 };
  const tail = code.includes(">") ? findHandlerTail(code) : -1;
  if (tail !== -1) return { what: "call closing an event-handler attribute", index: tail, brokeOut, score: 0.7 };
  return sinkCall;
}
