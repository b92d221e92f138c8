/**
 * Event handlers written outside any tag: the value is reflected inside an
 * attribute (`<input value="…">`) and closes it to add its own handler
 * (`" onmouseover="alert(1)`), or sits in an unquoted attribute where a
 * space alone starts a new one (`x onfocus=alert(1) autofocus`).
 */

export interface AttributeVerdict {
  readonly score: number;
  readonly label: string;
  readonly index: number;
}

/** An event handler attribute, `onload=`, `onmouseover =`. Linear: each match starts after a non-word character. */
const EVENT_HANDLER = /\bon[a-z]{3,}\s*=/gi;
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

export function findAttributeBreakout(value: string): AttributeVerdict | undefined {
  let weaker: AttributeVerdict | undefined;
  EVENT_HANDLER.lastIndex = 0;
  for (let match = EVENT_HANDLER.exec(value); match !== null; match = EVENT_HANDLER.exec(value)) {
    if (closesAttributeBefore(value, match.index))
      return { score: 0.9, label: "attribute breakout into event handler", index: match.index };
    if (insideOpenTag(value, match.index)) return { score: 0.85, label: "event handler inside a tag", index: match.index };
    if (weaker !== undefined && weaker.score >= 0.85) continue;
    const codeStart = match.index + match[0].length;
    if (HANDLER_CODE.test(value.slice(codeStart, codeStart + 48))) {
      weaker = { score: 0.85, label: "event handler with code", index: match.index };
    } else if (weaker === undefined && opensWithHandler(value, match.index)) {
      weaker = { score: 0.75, label: "unquoted attribute breakout into event handler", index: match.index };
    }
  }
  return weaker;
}
