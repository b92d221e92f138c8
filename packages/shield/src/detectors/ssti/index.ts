/**
 * Server-side template injection: template syntax that evaluates an
 * expression (`{{7*7}}`, `${7*7}`, `<%= … %>`, `#{…}`, `{php}`), or reaches for
 * the runtime through a template (`__class__.__mro__`, `getClass().forName`,
 * `freemarker.template.utility.Execute`).
 */
import { AT, BRACE, BRACKET, HASH, PAREN, PERCENT, UNDERSCORE } from "../char-classes.js";
import { evidenceOf } from "../evidence.js";
import type { Candidate, Detector, Finding } from "../types.js";

/** Introspection chains that walk from a template value to the interpreter: conclusive on their own. */
const RUNTIME_ESCAPE =
  /__(?:class|mro|subclasses|globals|builtins|init|base|bases|import|dict|getattribute)__|\.getclass\s*\(|\bforname\s*\(|\bclassloader\b|freemarker\.template\.utility|\bjava\.lang\.(?:runtime|processbuilder|system)|\bt\s*\(\s*java\.|\bnew\s*\(\s*\)|\bscriptenginemanager\b|\bruntime\.getruntime|_templatereference__context|\.module\.runtime|\blipsum\.|\bcycler\.|\bjoiner\.|\bself\._templatereference|\brequest\.application\b|\bconfig\.items\s*\(|\bget_flashed_messages\b|\burl_for\.__|\battr\s*\(\s*["']__|\bos\.(?:popen|system)\s*\(|\bsubprocess\b/;

/**
 * A template expression that computes: arithmetic, a call, an index, a Ruby backtick command, or an engine's own sigil (`{{=7*7}}`,
 * `{{$x}}`). A dotted path with filters (`{{ user.name }}`, `{{ price | currency }}`, `{{ 'now' | date }}`)
 * is what every template holds; it counts only from a dangerous root (see PATH_FROM_GLOBAL).
 */
const EXPRESSION_BODY = /[-+*/%]\s*[\w'"(]|\(|\[|`|^\s*[$=]/;
/** `{{ user.name }}`, `{{ price|currency }}`, `{{ 'now' | date: '%Y' }}`: a value, its attributes and filters. */
const PLAIN_PATH =
  /^\s*(?:[a-z_][\w]*|'[^'\n]{0,40}'|"[^"\n]{0,40}")(?:\s*\.\s*[a-z_]\w*)*(?:\s*\|\s*[a-z_]\w*(?::\s*(?:'[^'\n]{0,20}'|"[^"\n]{0,20}"|\w+))?)*\s*$/;
/** Objects template engines expose that lead to configuration or the runtime: `{{config}}`, `{{self}}`. */
const DANGEROUS_GLOBAL =
  /^\s*(?:self|_self|request|config|settings|app|application|lipsum|cycler|joiner|namespace|url_for|get_flashed_messages|range|session|g|env|environment|context|this|global|process|root)\s*$/;
/** A path that starts at one of those objects (`{{ settings.SECRET_KEY }}`, `${pageContext.request}`) reads the server's state. */
const PATH_FROM_GLOBAL =
  /^\s*(?:self|_self|request|config|settings|app|application|lipsum|cycler|joiner|namespace|url_for|get_flashed_messages|session|env|environment|context|global|process|root|pagecontext|applicationscope|facescontext)\s*[.|]/;

const DELIMITERS: readonly { open: string; close: string; name: string }[] = [
  { open: "{{", close: "}}", name: "jinja/twig/handlebars" },
  { open: "${", close: "}", name: "el/freemarker/mako" },
  { open: "#{", close: "}", name: "el/pug/ruby" },
  { open: "<%", close: "%>", name: "erb/ejs" },
  { open: "{%", close: "%}", name: "jinja statement" },
  { open: "*{", close: "}", name: "thymeleaf" },
  { open: "@{", close: "}", name: "thymeleaf link" },
  { open: "[[", close: "]]", name: "thymeleaf inline" },
];

/**
 * A Jinja/Twig/Django/Nunjucks statement tag: `{% if 7*7 == 49 %}`, `{% debug %}`, `{% import os %}`
 * (and the ERB/EJS `<% if … %>`).
 * Probes send one to see whether the server runs it (the reply holds `49` but not the tag). Only
 * keywords that start a statement count, and the tag must be closed: `{%` in a price or a URL does not.
 */
const STATEMENT_TAG = /^\s*(?:-\s*)?(?:set|import|from|include|extends|macro|call|debug|load|print|filter)(?:\s+\S|\s*(?:-\s*)?$)/;
/**
 * `{% if 7*7 == 49 %}`, `{% for x in range(9) %}`, `{% if True %}`: a condition that computes or is a
 * constant (which no template author writes: it is a probe for whether the tag runs). One over a name
 * (`{% if user %}`, `{% for item in cart %}`) is an ordinary template a CMS field stores.
 */
const COMPUTED_CONDITION =
  /^\s*(?:-\s*)?(?:if|elif|for|with)\s+(?:\S[\s\S]{0,200}?(?:\d|\(|\[|==|['"])|(?:true|false|none|null)\s*(?:-\s*)?$)/;

/** Smarty tags and the Smarty variable `{$smarty.…}`. */
const SMARTY = /\{\s*(?:php|\/php|\$smarty\b|system\s*\(|literal\}|fetch\s+file=|include\s+file=)/;
/** Razor `@(...)`/`@{...}` with code, Velocity `#set(`/`#foreach`. */
const OTHER_ENGINES =
  /@\(\s*\d+\s*[-+*/]|@\{[^}]{0,100}(?:system\.|process\.)|#set\s*\(\s*\$|#foreach\s*\(|\$class\.inspect|#evaluate\s*\(/;

/**
 * Outside template delimiters, a dunder by itself is Python's vocabulary, not a gadget chain: a file named
 * `__init__.py` or `__init__.cpython-313.pyc`, "override `__init__`" in a question. It takes an attribute access
 * (`''.__class__`, `self.__init__`), a subscript or call (`__globals__['os']`, `__import__('os')`), a quoted name
 * (`attr("__class__")`) or a second dunder (`__init__.__globals__`) to walk anywhere; alone it blocks only at high
 * sensitivity.
 */
const LONE_DUNDER_SCORE = 0.6;
const DUNDER_WALKS_ON = /^\s*(?:[([]|\.\s*__[a-z]+__)/;
const DUNDER_REACHED_FROM = /[.'"[]\s*$/;

const RUNTIME_ESCAPES = new RegExp(RUNTIME_ESCAPE.source, "g");

function isLoneDunder(lower: string, match: RegExpExecArray): boolean {
  if (!match[0].startsWith("__")) return false;
  const end = match.index + match[0].length;
  return (
    !DUNDER_WALKS_ON.test(lower.slice(end, end + 40)) && !DUNDER_REACHED_FROM.test(lower.slice(Math.max(0, match.index - 8), match.index))
  );
}

/** The first runtime escape in `lower` that is not a lone dunder, from `first` on: a lone one before a chain hides nothing. */
function walkingEscape(lower: string, first: RegExpExecArray): RegExpExecArray | undefined {
  if (!isLoneDunder(lower, first)) return first;
  RUNTIME_ESCAPES.lastIndex = first.index + first[0].length;
  for (let match = RUNTIME_ESCAPES.exec(lower); match !== null; match = RUNTIME_ESCAPES.exec(lower)) {
    if (!isLoneDunder(lower, match)) return match;
  }
  return undefined;
}

export const sstiDetector: Detector = {
  class: "ssti",
  // Every delimiter opens with one of `{ % @ # [`; a runtime escape has `__` or a call.
  needs: BRACE | PERCENT | AT | HASH | BRACKET | UNDERSCORE | PAREN,
  detect(candidate: Candidate): Finding | undefined {
    const value = candidate.canonical;
    if (!/[{%@#[]/.test(value) && value.indexOf("__") === -1 && value.indexOf("(") === -1) return undefined;
    const lower = value.toLowerCase();
    const runtimeEscape = RUNTIME_ESCAPE.exec(lower);
    if (runtimeEscape) {
      const inTemplate = DELIMITERS.some((d) => lower.indexOf(d.open) !== -1);
      const walking = inTemplate ? runtimeEscape : walkingEscape(lower, runtimeEscape);
      const shown = walking ?? runtimeEscape;
      const score = inTemplate ? 0.97 : walking !== undefined ? 0.8 : LONE_DUNDER_SCORE;
      return finding(score, "template runtime escape", lower.slice(shown.index, shown.index + 60));
    }
    const smarty = SMARTY.exec(lower);
    if (smarty) return finding(0.9, "smarty tag", lower.slice(smarty.index, smarty.index + 40));
    const other = OTHER_ENGINES.exec(lower);
    if (other) return finding(0.85, "template directive", other[0]);
    let variable: Finding | undefined;
    for (const delimiter of DELIMITERS) {
      const found = templateBody(lower, delimiter.open, delimiter.close);
      if (found === undefined) continue;
      // `<%= x %>` and `<%- x %>` are ERB/EJS output tags: the sign is the tag's, not the expression's.
      const body = delimiter.open === "<%" ? found.replace(/^[=-]/, "") : found;
      // `{{! note }}`, `{{!-- note --}}`: a Handlebars comment renders nothing.
      if (delimiter.open === "{{" && body.startsWith("!")) continue;
      // Arithmetic is read outside string literals: `'%Y'` is a date format, not a modulo.
      const code = body.indexOf("'") === -1 && body.indexOf('"') === -1 ? body : body.replace(/'[^'\n]{0,40}'|"[^"\n]{0,40}"/g, "''");
      // `${jndi:` is Log4Shell, the JNDI detector's business.
      if (delimiter.open === "${" && /^\s*(?:jndi|env|sys|lower|upper|java|ctx|date|::-)/.test(body)) continue;
      if (DANGEROUS_GLOBAL.test(body) && delimiter.open !== "[[") return finding(0.85, `${delimiter.name} runtime object`, body);
      // ERB and EJS write statements between `<%` and `%>` the same way: `<% if true %>49<% end %>`.
      // (An unclosed `<%` reads to the end of the value for expressions; a statement needs its `%>`.)
      const statementTag = delimiter.open === "{%" || (delimiter.open === "<%" && lower.indexOf("%>", lower.indexOf("<%") + 2) !== -1);
      if (statementTag && (STATEMENT_TAG.test(body) || COMPUTED_CONDITION.test(body)))
        return finding(
          0.8,
          `${delimiter.open === "{%" ? "jinja/twig" : "erb/ejs"} statement`,
          `${delimiter.open}${body}${delimiter.close}`,
        );
      // `${'ff'}` (a PHP variable variable), `<%'`: a string opening any body but a Liquid/Jinja `{{ 'now' | date }}`.
      const quoted = delimiter.open !== "{{" && /^\s*['"]/.test(body);
      if (quoted || EXPRESSION_BODY.test(code) || PATH_FROM_GLOBAL.test(body) || (!PLAIN_PATH.test(body) && /[.|]/.test(body)))
        return finding(0.85, `${delimiter.name} expression`, `${delimiter.open}${body}${delimiter.close}`);
      // A bare variable is weak: another delimiter further on may hold the real thing (`{{x}}{% debug %}`).
      if (/^\s*\w+\s*$/.test(body) && delimiter.open !== "[[") variable ??= finding(0.6, `${delimiter.name} variable`, body);
    }
    return variable;
  },
};

/** The text between the first `open` and the next `close`, bounded; undefined when absent. */
function templateBody(value: string, open: string, close: string): string | undefined {
  const start = value.indexOf(open);
  if (start === -1) return undefined;
  const end = value.indexOf(close, start + open.length);
  const stop = end === -1 ? Math.min(value.length, start + open.length + 200) : end;
  if (end === -1 && open !== "<%") return undefined;
  return value.slice(start + open.length, Math.min(stop, start + open.length + 200));
}

function finding(score: number, label: string, excerpt: string): Finding {
  return { class: "ssti", score, evidence: evidenceOf(label, excerpt) };
}
