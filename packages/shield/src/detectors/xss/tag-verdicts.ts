/**
 * Scores the tags found in a value. What makes a tag dangerous is what a
 * browser does with it: run script (`<script>`, event handlers), load a
 * document or plugin (`<iframe>`, `<object>`), change where the page's links
 * and scripts point (`<base>`, `<meta http-equiv=refresh>`, `<form action>`),
 * or switch parsing rules (`<svg>`, `<math>` namespaces, `<style>`).
 */

import { higherScore } from "../score.js";
import { decodeHtmlEntities } from "./html-entities.js";
import { type Attribute, findTags, type Tag } from "./html-tags.js";
import { findScriptUrl } from "./url-schemes.js";

export interface TagVerdict {
  readonly score: number;
  readonly label: string;
  readonly index: number;
}

/** Elements that run or load active content by themselves. */
const ACTIVE_ELEMENTS: ReadonlyMap<string, number> = new Map([
  ["script", 0.95],
  ["iframe", 0.9],
  ["frame", 0.9],
  ["frameset", 0.85],
  ["object", 0.9],
  ["embed", 0.9],
  ["applet", 0.9],
  ["base", 0.9],
  ["portal", 0.9],
  ["import", 0.85],
  ["xml", 0.8],
  ["isindex", 0.85],
  // VML's frame element (old IE) loads its `src` like an iframe.
  ["vmlframe", 0.85],
  ["svg", 0.85],
  ["math", 0.8],
  ["style", 0.8],
  ["link", 0.8],
  ["meta", 0.8],
  ["form", 0.75],
  ["template", 0.75],
  ["xmp", 0.75],
  ["noscript", 0.75],
  ["plaintext", 0.75],
  ["listing", 0.75],
  ["textarea", 0.75],
  ["title", 0.75],
  ["noembed", 0.75],
  ["noframes", 0.75],
]);

/**
 * Ordinary markup, with the elements of old Netscape and IE pages (`<multicol>`, `<spacer>`, `<blackface>`) that
 * filters list and payloads still probe with. Harmless alone, but no plain-text field expects it, and
 * injected markup is how phishing forms and the first half of a split payload
 * arrive; scored to block only at high sensitivity (threshold 0.5).
 */
const MARKUP_ELEMENTS = new Set(
  "a abbr acronym address area article aside audio audioscope b basefont bdi bdo big blackface blink blockquote body br button canvas caption center cite code col colgroup dd del details dfn dialog div dl dt em fieldset figcaption figure font footer h1 h2 h3 h4 h5 h6 head header hr html i image img input ins kbd keygen label legend li limittext main map mark marquee menu menuitem meter multicol nav nobr nosmartquotes ol optgroup option output p param picture pre progress q rp rt ruby s samp section select small source spacer span strike strong sub summary sup table tbody td tfoot th thead time tr track tt u ul var video wbr".split(
    " ",
  ),
);

/** SVG and XSLT elements (lower-cased): markup in a namespace that can host script and animation. */
const SVG_ELEMENTS = new Set(
  "animatemotion animatetransform circle clippath defs desc ellipse feimage filter foreignobject g line lineargradient marker mask mpath path pattern polygon polyline radialgradient rect stop symbol text textpath tspan use view stylesheet transform".split(
    " ",
  ),
);

/** Elements that fetch, embed, animate or collect input: CRS 941160's list, plus form controls. */
const INJECTION_ELEMENTS = new Set([
  "img",
  "image",
  "video",
  "audio",
  "body",
  "set",
  "animate",
  "marquee",
  "param",
  "input",
  "button",
  "layer",
  "ilayer",
  "bgsound",
  "html",
  "head",
  "source",
  "track",
  "picture",
  "select",
  "option",
  "label",
]);

/** Attributes whose value the browser follows as a URL (or, for `srcdoc`, renders as a document). */
const URL_ATTRIBUTES = new Set([
  "href",
  "src",
  "action",
  "formaction",
  "data",
  "xlink:href",
  "background",
  "lowsrc",
  "dynsrc",
  "poster",
  "code",
  "codebase",
  "archive",
  "content",
  "values",
  "to",
  "from",
  "by",
  "ping",
  "cite",
  "longdesc",
  "usemap",
  "manifest",
  "icon",
  "profile",
  "datasrc",
]);

/**
 * CSS that runs script (old IE `expression()`, `behavior`, Firefox `-moz-binding`), loads a script URL,
 * or hides either behind CSS escapes (`\\65 xpression`).
 */
const DANGEROUS_CSS = /expression\s*\(|behaviou?r\s*:|binding\s*:|javascript\s*:|@import|\\[0-9a-f]/i;

/** `expr` + a comment + `ession(`: CSS reads a comment as nothing, so a keyword split by one is still the keyword. */
function withoutCssComments(css: string): string {
  let open = css.indexOf("/*");
  if (open === -1) return css;
  let out = "";
  let from = 0;
  while (open !== -1) {
    out += css.slice(from, open);
    const close = css.indexOf("*/", open + 2);
    if (close === -1) return out;
    from = close + 2;
    open = css.indexOf("/*", from);
  }
  return out + css.slice(from);
}

function isEventHandler(name: string): boolean {
  return name.length > 4 && name.startsWith("on") && /^on[a-z]+$/.test(name);
}

function attributeDanger(tag: Tag, attribute: Attribute): TagVerdict | undefined {
  const at = tag.start;
  if (isEventHandler(attribute.name)) return { score: 0.95, label: `<${tag.name} ${attribute.name}=…> event handler`, index: at };
  if (URL_ATTRIBUTES.has(attribute.name) || attribute.name === "srcdoc") {
    if (attribute.name === "srcdoc" && attribute.value.includes("<"))
      return { score: 0.9, label: `<${tag.name} srcdoc> markup`, index: at };
    const url = findScriptUrl(attribute.value, true);
    if (url !== undefined) return { score: 0.95, label: `<${tag.name} ${attribute.name}=${url.scheme}>`, index: at };
  }
  // IE data binding renders a data island as HTML: `<span datasrc=#x datafld=b dataformatas=html>`.
  if (attribute.name === "dataformatas" || attribute.name === "datasrc" || attribute.name === "datafld") {
    return { score: 0.85, label: `<${tag.name} ${attribute.name}> data binding`, index: at };
  }
  if (attribute.name === "style" && DANGEROUS_CSS.test(withoutCssComments(attribute.value)))
    return { score: 0.9, label: `<${tag.name} style> scripted CSS`, index: at };
  if (tag.name === "meta" && attribute.name === "http-equiv" && /refresh|set-cookie|content-security/i.test(attribute.value)) {
    return { score: 0.9, label: `<meta http-equiv=${attribute.value.slice(0, 20)}>`, index: at };
  }
  return undefined;
}

function tagDanger(tag: Tag): TagVerdict | undefined {
  const best = activeDanger(tag);
  if (best === undefined && (tag.terminated || tag.attributes.length > 0)) return spacedOutVerdict(tag) ?? markupVerdict(tag);
  return best;
}

/** What a tag runs, loads or switches by itself: its element (`<script>`, `<iframe>`) or one of its attributes (a handler, a script URL). */
function activeDanger(tag: Tag): TagVerdict | undefined {
  let best: TagVerdict | undefined;
  for (const attribute of tag.attributes) {
    const verdict = attributeDanger(tag, attribute);
    if (verdict !== undefined && (best === undefined || verdict.score > best.score)) best = verdict;
  }
  const active =
    ACTIVE_ELEMENTS.get(tag.name) ?? ACTIVE_ELEMENTS.get(localName(tag.name)) ?? ACTIVE_ELEMENTS.get(namespacePrefix(tag.name));
  if (active !== undefined && (best === undefined || active > best.score)) {
    best = {
      score: tag.closing ? Math.min(active, 0.85) : active,
      label: `<${tag.closing ? "/" : ""}${tag.name}> element`,
      index: tag.start,
    };
  }
  return best;
}

/** Shortest element name worth rebuilding from letters: `<b r` is prose more often than a `<br>`. */
const MIN_SPACED_NAME = 4;

/**
 * `<f o r m`, `<s c r i p t>`: an element name written one letter per word,
 * for a filter (or an app) that strips whitespace before the page sees it.
 * The letters must spell a known element whole; `<a b c>` spells nothing.
 */
function spacedOutVerdict(tag: Tag): TagVerdict | undefined {
  if (tag.name.length !== 1 || tag.attributes.length < MIN_SPACED_NAME - 1) return undefined;
  let name = tag.name;
  for (const attribute of tag.attributes) {
    if (attribute.name.length !== 1 || attribute.hasValue) return undefined;
    name += attribute.name;
  }
  const known = ACTIVE_ELEMENTS.has(name) || INJECTION_ELEMENTS.has(name) || MARKUP_ELEMENTS.has(name);
  return known ? { score: 0.75, label: `<${name}> spelled out in spaced letters`, index: tag.start } : undefined;
}

/**
 * Markup that runs nothing by itself. Elements that fetch or embed a resource
 * (`<img src>`, `<a href>`, `<body background>`), restyle the page or take
 * input (phishing forms) are HTML injection and block at medium sensitivity,
 * as in the OWASP CRS paranoia level 1. A complete tag of a known HTML or SVG
 * element (`<h1>`, `</div>`, `<circle r=9>`) blocks too: no plain-text field
 * of an API expects markup, and a scanner's first XSS probe is exactly that.
 * Prose that happens to tokenize as a tag (`if a<b and c>d`: attributes with
 * no values) and unknown names (`List<String>`) only block at high sensitivity.
 */
function markupVerdict(tag: Tag): TagVerdict {
  const label = `<${tag.closing ? "/" : ""}${tag.name}> markup`;
  const name = localName(tag.name);
  // Only an attribute with a value loads or restyles anything: `<order by price>` is words in brackets.
  const loads = tag.attributes.some(
    (a) => a.hasValue && (URL_ATTRIBUTES.has(a.name) || a.name === "style" || a.name === "xmlns" || a.name.startsWith("xmlns:")),
  );
  if (loads || (!tag.closing && INJECTION_ELEMENTS.has(name) && !isBracketedWords(tag))) return { score: 0.75, label, index: tag.start };
  const known = MARKUP_ELEMENTS.has(name) || SVG_ELEMENTS.has(name);
  if (known && tag.terminated && (tag.attributes.length === 0 || tag.attributes.some((a) => a.hasValue) || hasOnlyFlags(tag)))
    return { score: tag.attributes.length > 0 ? 0.75 : 0.7, label, index: tag.start };
  return { score: known ? 0.65 : 0.55, label, index: tag.start };
}

/**
 * HTML's boolean attributes: written bare, they still change what an element does (`<details open>` fires its
 * toggle event, `<dialog open>` shows a dialog, `<div contenteditable>` takes input, `<xss popover>` can be shown).
 */
const FLAG_ATTRIBUTES = new Set(
  "open autofocus hidden popover contenteditable disabled checked selected controls autoplay loop muted multiple required readonly novalidate formnovalidate async defer inert draggable nomodule playsinline reversed default ismap allowfullscreen itemscope".split(
    " ",
  ),
);

/** `<details open>`, `<input autofocus required>`: every attribute a flag of HTML's, none a word of prose. */
function hasOnlyFlags(tag: Tag): boolean {
  return tag.attributes.every((a) => !a.hasValue && FLAG_ATTRIBUTES.has(a.name));
}

/**
 * `<select the best>`, `<set the table>`: two or more bare words (letters
 * only) after the name and none given a value. An element a payload uses either has no
 * attributes (`<img>`) or sets one (`src=x`); a single flag (`<input autofocus>`) still counts.
 */
function isBracketedWords(tag: Tag): boolean {
  return tag.attributes.length >= 2 && tag.attributes.every((a) => !a.hasValue && WORD.test(a.name));
}

const WORD = /^[a-z]+$/;

/**
 * `a<b>c`, `x<i>y`: a bare opening tag with a letter or digit glued on both
 * sides reads as a chain of comparisons in a chat message or a formula.
 * Markup put into a page comes with a closing tag or attributes, which this
 * shape lacks; it still blocks at high sensitivity.
 */
function isGluedComparison(value: string, tag: Tag): boolean {
  if (tag.closing || tag.attributes.length > 0) return false;
  const end = tag.start + 1 + tag.name.length;
  return value[end] === ">" && isAlphanumeric(value.charCodeAt(tag.start - 1)) && isAlphanumeric(value.charCodeAt(end + 1));
}

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** `xml:namespace` → `xml`: the prefix names the language the element switches to. */
function namespacePrefix(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? "" : name.slice(0, colon);
}

/** `svg:svg` → `svg`: a namespace prefix does not change what the element does. */
function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * `<?import implementation=…>`, `<?xml-stylesheet …?>`, `<!ENTITY …>`: XML
 * processing instructions and DTD declarations load behaviours, stylesheets
 * and external entities (XXE) when the value reaches an XML or old-IE parser.
 */
const XML_DECLARATION = /<[?!]\s*(?:xml|import|doctype|entity|attlist|element)\b/i;

/**
 * `<!--` hides the rest of the page from the browser (a dangling comment eats
 * a CSRF token or a closing quote); `<![CDATA[` switches parsing rules in
 * SVG/XML contexts. Neither has a place in a plain-text field.
 */
const MARKUP_SWITCH = /<!--|<!\[cdata\[/i;

/**
 * `-->` (or the `--!>` browsers also accept) opening the value, alone or
 * followed by markup: it closes the HTML comment an app reflected the value
 * into (`<!-- search: … -->`), so what follows is live. An arrow in prose
 * ("a --> b", "--> next") has words around it.
 */
const COMMENT_CLOSE_FIRST = /^\s*(?:["'`]\s*)?--!?>\s*(?:<|$)/;

export function closesCommentFirst(value: string): TagVerdict | undefined {
  return COMMENT_CLOSE_FIRST.test(value) ? { score: 0.7, label: "HTML comment breakout", index: value.indexOf("--") } : undefined;
}

/**
 * A whole XML document (`<?xml …?>` first), e.g. a SOAP or feed body: its
 * elements are data, not HTML, and `<title>` or `<link>` in it is normal. In
 * one, only what runs script (handlers, script URLs, `<script>`, `<iframe>`,
 * `<svg>`) or declares entities counts.
 */
const XML_DOCUMENT = /^\s*<\?xml\s/i;
const XML_DOCUMENT_MINIMUM = 0.85;

export function isXmlDocument(value: string): boolean {
  return XML_DOCUMENT.test(value);
}

/**
 * `xmlns:svg="http://www.w3.org/2000/svg"`: declares the SVG, XHTML, XSLT or
 * MathML namespace, whose elements run script or switch the parser's rules, or
 * XLink's, whose `xlink:href` links only SVG and MathML follow.
 */
const SCRIPT_NAMESPACE =
  /\bxmlns(?::[a-z]{1,20})?\s*=\s*(?:["']\s*)?https?:\/\/www\.w3\.org\/(?:2000\/svg|1999\/xhtml|1999\/xsl\/transform|1998\/math\/mathml|1999\/xlink)/i;

/** `"<xss>`, `'><x>`: a tag right after the quote that closed an attribute value, whatever its name. */
function quoteBreakoutInto(value: string, tag: Tag): TagVerdict | undefined {
  if (!tag.terminated) return undefined;
  let i = tag.start - 1;
  if (value[i] === ">") i--;
  const quote = value[i];
  return quote === '"' || quote === "'" ? { score: 0.75, label: `quote breakout into <${tag.name}>`, index: i } : undefined;
}

export function scoreTags(value: string): TagVerdict | undefined {
  const xmlDocument = isXmlDocument(value);
  const declaration = XML_DECLARATION.exec(xmlDocument ? value.slice(5) : value);
  let best: TagVerdict | undefined = declaration === null ? undefined : { score: 0.75, label: "XML declaration", index: declaration.index };
  const markupSwitch = MARKUP_SWITCH.exec(value);
  if (markupSwitch !== null && !xmlDocument && (best === undefined || best.score < 0.7))
    best = { score: 0.7, label: "HTML comment or CDATA section", index: markupSwitch.index };
  const namespace = SCRIPT_NAMESPACE.exec(value);
  if (namespace !== null && !xmlDocument && (best === undefined || best.score < 0.75))
    best = { score: 0.75, label: "script-capable namespace declaration", index: namespace.index };
  for (const tag of findTags(value)) {
    let verdict = higherScore(tagDanger(tag), quoteBreakoutInto(value, tag));
    if (verdict !== undefined && verdict.score < 0.75 && isGluedComparison(value, tag)) verdict = { ...verdict, score: 0.6 };
    if (xmlDocument && verdict !== undefined && verdict.score < XML_DOCUMENT_MINIMUM) continue;
    if (verdict !== undefined && (best === undefined || verdict.score > best.score)) best = verdict;
    if ((best?.score ?? 0) >= 0.95) break;
  }
  return best;
}

/**
 * `<meta charset="utf-8">` heads what Google Docs and Word put on the clipboard, and an editor may keep it: in
 * rich text a meta element without `http-equiv` (refresh, cookies, charset switches, link headers) is inert.
 */
function isInertMeta(tag: Tag): boolean {
  return tag.name === "meta" && !tag.attributes.some((a) => a.name === "http-equiv");
}

/**
 * Markup or a handler inside an attribute value (`<img src="--><img src=x onerror=…>`, `` src=` onerror=… ``):
 * no editor writes that, and a parser that reads the quotes or comments differently (a browser after a
 * sanitizer, an old engine) finds a live tag there. Scored as the tag it hides.
 */
const HIDDEN_HANDLER = /(?:^|[\s/"'`])on[a-z]{3,20}\s*=/i;

function hiddenInValue(tag: Tag, depth: number): TagVerdict | undefined {
  let best: TagVerdict | undefined;
  for (const attribute of tag.attributes) {
    const value = attribute.value;
    if (value.includes("<") && depth === 0) {
      const inner = scoreRichText(value, depth + 1);
      if (inner !== undefined)
        best = higherScore(best, { ...inner, label: `${inner.label} inside <${tag.name} ${attribute.name}>`, index: tag.start });
    }
    // SVG's `<set attributeName="onmouseover" to="alert(1)">` writes a handler when the element animates.
    if (attribute.name === "attributename" && isEventHandler(value.trim().toLowerCase()))
      best = higherScore(best, { score: 0.9, label: `<${tag.name}> animating ${value.trim()}`, index: tag.start });
    if (HIDDEN_HANDLER.test(value))
      best = higherScore(best, { score: 0.9, label: `event handler inside <${tag.name} ${attribute.name}>`, index: tag.start });
  }
  return best;
}

/**
 * The verdict on HTML an app takes from a rich-text editor and renders as
 * markup (a post, a comment, an e-mail body): judged the way an HTML
 * sanitizer's allow-list judges it, on the value as the app received it.
 * Formatting passes whatever its shape (`<p>`, `<strong>`, `<a href=https:…>`,
 * `<img src=…>`, tables, inline styles, quotes before tags, comments from a
 * Word paste); what runs script, loads active content or changes how the
 * page parses still counts as everywhere else: `<script>`, `<iframe>`,
 * `<svg>`, `<style>`, `<form>`, `<base>`, event handlers, script URLs (also
 * behind character references, which a browser decodes inside attribute
 * values), scripted CSS, XML and DTD declarations, and markup hidden in an
 * attribute value. Character references in the text stay text: `&lt;script&gt;`
 * in a code sample is not a tag.
 */
export function scoreRichText(value: string, depth = 0): TagVerdict | undefined {
  const declaration = XML_DECLARATION.exec(value);
  let best: TagVerdict | undefined = declaration === null ? undefined : { score: 0.75, label: "XML declaration", index: declaration.index };
  if (value.includes("<![") && /<!\[cdata\[/i.test(value)) best = higherScore(best, { score: 0.7, label: "CDATA section", index: 0 });
  const namespace = SCRIPT_NAMESPACE.exec(value);
  if (namespace !== null) best = higherScore(best, { score: 0.75, label: "script-capable namespace declaration", index: namespace.index });
  if (!value.includes("<!--")) return higherScore(best, scoreRichTags(value, depth));
  // Markup inside a comment is inert (Word's `<!--[if gte mso 9]><xml>…` paste); what a comment hides from a filter that
  // strips comments (`<scr<!-- -->ipt>`) is judged too.
  const comments = commentsIn(value);
  best = higherScore(best, scoreRichTags(withoutComments(value, comments, " "), depth));
  best = higherScore(best, scoreRichTags(withoutComments(value, comments, ""), depth));
  for (const comment of comments) best = higherScore(best, commentDanger(value.slice(comment.bodyStart, comment.bodyEnd), comment.start));
  return best;
}

/** `<!--#exec cmd="…"-->`: a server-side include directive, run by a server that parses the page (Apache, nginx SSI). */
const SSI_DIRECTIVE = /^\s*#\s*(?:exec|include|echo|config|set|printenv|fsize|flastmod|if|elif)\b/i;
/** What a conditional comment's body must run to count: old IE ran it, Word pastes harmless `<xml>` islands in it. */
const CONDITIONAL_MINIMUM = 0.9;

function commentDanger(body: string, at: number): TagVerdict | undefined {
  if (SSI_DIRECTIVE.test(body)) return { score: 0.9, label: "server-side include directive", index: at };
  if (!body.startsWith("[if")) return undefined;
  const inner = scoreRichTags(body, 1);
  return inner !== undefined && inner.score >= CONDITIONAL_MINIMUM
    ? { ...inner, label: `${inner.label} in a conditional comment`, index: at }
    : undefined;
}

function scoreRichTags(value: string, depth: number): TagVerdict | undefined {
  let best: TagVerdict | undefined;
  for (const tag of findTags(value)) {
    const decoded = withDecodedValues(tag);
    const own = isInertMeta(tag)
      ? decoded.attributes.reduce<TagVerdict | undefined>((worst, a) => higherScore(worst, attributeDanger(decoded, a)), undefined)
      : activeDanger(decoded);
    best = higherScore(best, higherScore(own, hiddenInValue(decoded, depth)));
    if ((best?.score ?? 0) >= 0.95) break;
  }
  return best;
}

interface CommentSpan {
  readonly start: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly end: number;
}

/**
 * The HTML comments in `value`, read as a browser does: `<!--` to the first
 * `-->` or `--!>`, `<!-->` and `<!--->` empty, an unclosed one running to the end.
 */
function commentsIn(value: string): CommentSpan[] {
  const spans: CommentSpan[] = [];
  let open = value.indexOf("<!--");
  while (open !== -1) {
    const bodyStart = open + 4;
    let bodyEnd = value.length;
    let end = value.length;
    if (value[bodyStart] === ">") [bodyEnd, end] = [bodyStart, bodyStart + 1];
    else if (value.startsWith("->", bodyStart)) [bodyEnd, end] = [bodyStart, bodyStart + 2];
    else {
      for (let at = value.indexOf("--", bodyStart); at !== -1; at = value.indexOf("--", at + 1)) {
        if (value[at + 2] === ">" || (value[at + 2] === "!" && value[at + 3] === ">")) {
          bodyEnd = at;
          end = at + (value[at + 2] === ">" ? 3 : 4);
          break;
        }
      }
    }
    spans.push({ start: open, bodyStart, bodyEnd, end });
    open = value.indexOf("<!--", end);
  }
  return spans;
}

function withoutComments(value: string, comments: readonly CommentSpan[], replacement: string): string {
  let out = "";
  let from = 0;
  for (const comment of comments) {
    out += value.slice(from, comment.start) + replacement;
    from = comment.end;
  }
  return out + value.slice(from);
}

/** The tag with its attribute values as the browser reads them: character references decoded. */
function withDecodedValues(tag: Tag): Tag {
  if (!tag.attributes.some((a) => a.value.includes("&"))) return tag;
  return { ...tag, attributes: tag.attributes.map((a) => (a.value.includes("&") ? { ...a, value: decodeHtmlEntities(a.value) } : a)) };
}

/** Elements that run code in a page opened on its own: script (in any namespace: `<html:script>` in XHTML), and plugins. */
const DOCUMENT_CODE_ELEMENTS: ReadonlyMap<string, number> = new Map([
  ["script", 0.95],
  ["object", 0.9],
  ["embed", 0.9],
  ["applet", 0.9],
]);

/**
 * What runs script in `value` read as a whole page (an uploaded HTML, SVG or
 * XML file): a code element, an event handler, a script URL, markup in
 * `srcdoc`, scripted CSS, a meta refresh. Unlike a value pasted into a page,
 * a page is made of markup: formatting, styles, images, forms and frames of
 * other pages are what it holds, not an injection.
 */
export function scoreDocumentTags(value: string): TagVerdict | undefined {
  let best: TagVerdict | undefined;
  for (const tag of findTags(value)) {
    if (tag.closing) continue;
    const decoded = withDecodedValues(tag);
    for (const attribute of decoded.attributes) best = higherScore(best, attributeDanger(decoded, attribute));
    const code = DOCUMENT_CODE_ELEMENTS.get(localName(tag.name));
    if (code !== undefined) best = higherScore(best, { score: code, label: `<${tag.name}> element`, index: tag.start });
    if ((best?.score ?? 0) >= 0.95) break;
  }
  return best;
}
