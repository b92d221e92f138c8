/**
 * Attributes written outside any tag: the value is reflected inside an
 * attribute (`<input value="…">`) and closes it to add its own handler
 * (`" onmouseover="alert(1)`) or an attribute that loads or restyles
 * (`" src="//evil.example/x.js`, `' style='position:fixed…`), or sits in an
 * unquoted attribute where a space alone starts a new one
 * (`x onfocus=alert(1) autofocus`).
 */

import { isKnownEventHandler } from "./event-names.js";

export interface AttributeVerdict {
  readonly score: number;
  readonly label: string;
  readonly index: number;
}

/**
 * An event handler attribute, `onload=`, `onmouseover =` (group 1), or an attribute that loads or restyles (see
 * loadingAttributeBreakout): one scan finds both. Linear: each alternative is a fixed word or one class run.
 */
const ATTRIBUTE =
  /\b(on)[a-z]{3,}\s*=|(?:src|href|style|formaction|action|ping|srcdoc|srcset|data|background|lowsrc|dynsrc|poster|xlink:href)\s*=/gi;
/** What follows a handler in an attack: a call, a template call, an assignment, a property access. */
const HANDLER_CODE = /^\s*(?:["'`]\s*)?[^\s"'`>]{0,40}?[(`=.]/;
/** How far back to look for the quote an attribute breakout closes; one extra attribute (`autofocus`) fits. */
const BREAKOUT_LOOKBEHIND = 64;
/** How far back an open tag may start before a handler: a few attributes' worth. */
const OPEN_TAG_LOOKBEHIND = 128;

function isSpaceOrSlash(char: string | undefined): boolean {
  return char === " " || char === "\t" || char === "\n" || char === "\r" || char === "\f" || char === "/";
}

function isQuote(char: string | undefined): boolean {
  return char === '"' || char === "'" || char === "`";
}

/**
 * `" onmouseover="…`, `' autofocus onfocus='…`, `x/onerror=…`: the handler
 * sits after a quote (possibly after one more attribute), i.e. outside the
 * attribute value the app placed the input in.
 */
function closesAttributeBefore(value: string, handlerIndex: number): boolean {
  const floor = Math.max(0, handlerIndex - BREAKOUT_LOOKBEHIND);
  let i = handlerIndex - 1;
  if (isQuote(value[i])) return true;
  if (!isSpaceOrSlash(value[i])) return false;
  for (let attributesSkipped = 0; attributesSkipped <= 1; attributesSkipped++) {
    while (i >= floor && isSpaceOrSlash(value[i])) i--;
    if (isQuote(value[i])) return true;
    while (i >= floor && !isSpaceOrSlash(value[i]) && !isQuote(value[i])) i--;
    if (isQuote(value[i])) return true;
  }
  return false;
}

/**
 * ` onload=`, `/onerror=` as the whole start of the value: nothing but the
 * separator that ends an unquoted attribute value comes before the handler.
 * Prose does not open with whitespace and an `on…=` assignment; the handler's
 * code may arrive in the next parameter, which the page concatenates.
 */
function opensWithHandler(value: string, handlerIndex: number): boolean {
  if (handlerIndex === 0) return false;
  for (let i = handlerIndex - 1; i >= 0; i--) if (!isSpaceOrSlash(value[i])) return false;
  return true;
}

/** `<x </onxxx=1`, `<a b c onclick=…`: the handler sits after a `<` and a letter, with no `>` in between. */
function insideOpenTag(value: string, handlerIndex: number): boolean {
  const floor = Math.max(0, handlerIndex - OPEN_TAG_LOOKBEHIND);
  for (let i = handlerIndex - 1; i >= floor; i--) {
    const char = value[i];
    if (char === ">") return false;
    if (char === "<") return /[a-z/]/i.test(value[i + 1] ?? "");
  }
  return false;
}

/**
 * `x onpointerenter=1`, `a;onload=init`: a known event's attribute given a value, after a separator that ends an
 * unquoted attribute value or a statement. Whatever the value, the browser runs it: a payload needs no call when
 * the next parameter or the page supplies the rest. `?onload=cb` and `&onload=cb` are a URL's query (a script
 * loader's callback parameter), not an attribute.
 */
function assignsKnownHandler(value: string, handlerIndex: number, handler: string): boolean {
  const before = value[handlerIndex - 1];
  if (!(isSpaceOrSlash(before) || isQuote(before) || before === ";" || before === "," || before === "(")) return false;
  const name = handler.slice(0, handler.search(/[\s=]/)).toLowerCase();
  if (!isKnownEventHandler(name)) return false;
  let i = handlerIndex + handler.length;
  while (value[i] === " " || value[i] === "\t") i++;
  const first = value[i];
  return first !== undefined && first !== "=" && first !== "\n";
}

export function findAttributeBreakout(value: string): AttributeVerdict | undefined {
  let weaker: AttributeVerdict | undefined;
  let loading: AttributeVerdict | undefined;
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(value); match !== null; match = ATTRIBUTE.exec(value)) {
    if (match[1] === undefined) {
      loading ??= loadingAttributeBreakout(value, match.index, match[0]);
      continue;
    }
    if (closesAttributeBefore(value, match.index))
      return { score: 0.9, label: "attribute breakout into event handler", index: match.index };
    if (insideOpenTag(value, match.index)) return { score: 0.85, label: "event handler inside a tag", index: match.index };
    if (weaker !== undefined && weaker.score >= 0.85) continue;
    // `api.js?onload=initMap&render=explicit`: a URL's query parameter (a script loader's callback), no attribute.
    if (isQueryParameter(value, match.index)) continue;
    const codeStart = match.index + match[0].length;
    if (HANDLER_CODE.test(value.slice(codeStart, codeStart + 48))) {
      weaker = { score: 0.85, label: "event handler with code", index: match.index };
    } else if ((weaker?.score ?? 0) < 0.8 && assignsKnownHandler(value, match.index, match[0])) {
      weaker = { score: 0.8, label: "known event handler assigned", index: match.index };
    } else if (weaker === undefined && opensWithHandler(value, match.index)) {
      weaker = { score: 0.75, label: "unquoted attribute breakout into event handler", index: match.index };
    }
  }
  return weaker ?? loading;
}

/**
 * Attributes that load a resource, submit a form elsewhere, render a document or restyle the page: injected next to
 * the one the value was placed in, they fetch an attacker's script or image (`src`), send the form to them
 * (`formaction`), report clicks (`ping`) or draw a fake page over the real one (`style`).
 *
 * `" src="//evil.example/x.js`, `x' style='position:fixed`, `"/formaction=//evil.example`: the value's first quote
 * (so one it did not open itself) followed by a separator and a loading attribute given a value. Prose quotes in
 * pairs: in `He said "hi" src=x` the quote before `src` closes one the text opened; after a digit it is a measure
 * (`Monitor 27" style=curved`). `xlink:href=` is SVG's link attribute, which no prose spells, wherever it stands.
 */
function loadingAttributeBreakout(value: string, at: number, attribute: string): AttributeVerdict | undefined {
  if (!hasAttributeValue(value, at + attribute.length)) return undefined;
  const name = attribute.slice(0, attribute.search(/[\s=]/)).toLowerCase();
  if (name === "xlink:href") return isAttributeStart(value[at - 1]) ? { score: 0.75, label: "xlink:href attribute", index: at } : undefined;
  if (!isSpaceOrSlash(value[at - 1])) return undefined;
  let i = at - 1;
  while (i > 0 && isSpaceOrSlash(value[i])) i--;
  const quote = value[i];
  if ((quote !== '"' && quote !== "'") || value.indexOf(quote) !== i || isDigit(value[i - 1])) return undefined;
  return { score: 0.75, label: `attribute breakout into ${name}=`, index: at };
}

function isQueryParameter(value: string, at: number): boolean {
  const previous = value[at - 1];
  return previous === "?" || previous === "&";
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function isAttributeStart(previous: string | undefined): boolean {
  return previous === undefined || isSpaceOrSlash(previous) || isQuote(previous);
}

/** A value follows the `=`: a quote, or a character that starts an unquoted value. */
function hasAttributeValue(value: string, from: number): boolean {
  let i = from;
  while (value[i] === " " || value[i] === "\t") i++;
  const first = value[i];
  return first !== undefined && first !== "=" && first !== ">" && first !== "\n";
}
