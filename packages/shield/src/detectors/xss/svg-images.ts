/**
 * SVG images sent as base64 data URLs: a logo or avatar in a profile form, an
 * icon picked in an editor, a badge's `logo=data:image/svg+xml;base64,…`. An
 * SVG document can carry script, so `data:image/svg` is a script-running URL
 * (./url-schemes.ts) and its base64 body is markup (./base64-markup.ts); read
 * that way, every such image was denied. Most are shapes and colours. A body
 * is called inert here only when the browser's XML parser could build nothing
 * from it that runs, loads or navigates: every element a drawing element (or
 * an editor's metadata), no event handler, every link an in-document `#ref`
 * or a raster data URL, no style that loads or scripts, and nothing this
 * reading cannot see (entity declarations, processing instructions, a tag
 * with more attributes than are parsed, a body too long to read whole).
 * Inert images are blanked out before the XSS checks; anything else about the
 * value is judged as before.
 */

import { decodeHtmlEntities } from "./html-entities.js";
import { findTags, MAX_ATTRIBUTES, type Tag } from "./html-tags.js";

/** Drawing, structure, paint and filter elements of SVG 1.1/2 that neither run script nor load a document. */
const DRAWING_ELEMENTS: ReadonlySet<string> = new Set(
  (
    "svg g defs symbol use path rect circle ellipse line polyline polygon text tspan textpath title desc metadata " +
    "lineargradient radialgradient stop clippath mask pattern marker filter style image switch " +
    "feblend fecolormatrix fecomponenttransfer fecomposite feconvolvematrix fediffuselighting fedisplacementmap " +
    "fedistantlight fedropshadow feflood fefunca fefuncb fefuncg fefuncr fegaussianblur femerge femergenode " +
    "femorphology feoffset fepointlight fespecularlighting fespotlight fetile feturbulence"
  ).split(" "),
);

/**
 * What drawing tools write into a file (Inkscape's `sodipodi:namedview`, RDF licence blocks, Illustrator's
 * `i:pgf`): local names that are no element able to run or load anything in the SVG, XHTML or MathML namespaces,
 * whatever namespace a document binds their prefix to.
 */
const EDITOR_ELEMENTS: ReadonlySet<string> = new Set(
  "namedview grid guide pagecheck rdf work format type creator agent publisher rights license permits requires date language description pgf".split(
    " ",
  ),
);

/** Attributes followed as links; in an inert image they point inside it. */
const LINK_ATTRIBUTES: ReadonlySet<string> = new Set(["href", "xlink:href", "src"]);

/** An embedded raster image: the one kind of data URL a drawing may reference. */
const RASTER_DATA_URL = /^data:image\/(?:png|jpe?g|gif|webp|bmp|avif);base64,[a-z0-9+/=\s]*$/i;

/** Longest base64 body read whole (48 KiB of SVG); a longer one is judged as any other document data URL. */
const MAX_BASE64_LENGTH = 64 * 1024;

/** Anything that loads, scripts or imports from CSS, in a `style` attribute or element. */
const ACTIVE_CSS = /@import|expression\s*\(|behaviou?r\s*:|-moz-binding|(?:java|vb|live)script\s*:/i;

function localName(name: string): string {
  const colon = name.lastIndexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Every `url(` in `css` refers inside the document (`url(#clip)`, `url('#grad')`). */
function cssUrlsAreInternal(css: string): boolean {
  const lower = css.toLowerCase();
  for (let at = lower.indexOf("url("); at !== -1; at = lower.indexOf("url(", at + 4)) {
    let i = at + 4;
    while (i < lower.length && (lower[i] === " " || lower[i] === '"' || lower[i] === "'" || lower[i] === "\t" || lower[i] === "\n")) i++;
    if (lower[i] !== "#") return false;
  }
  return true;
}

function isInertCss(css: string): boolean {
  return !ACTIVE_CSS.test(css) && !css.includes("\\") && cssUrlsAreInternal(css);
}

function isInertLink(value: string): boolean {
  const target = value.trim();
  return target === "" || target.startsWith("#") || RASTER_DATA_URL.test(target);
}

function isInertTag(tag: Tag, svg: string): boolean {
  const name = localName(tag.name);
  if (!DRAWING_ELEMENTS.has(name) && !EDITOR_ELEMENTS.has(name)) return false;
  // Past MAX_ATTRIBUTES the parser stops listing them: an unseen one could be a handler.
  if (tag.attributes.length >= MAX_ATTRIBUTES || !tag.terminated) return false;
  for (const attribute of tag.attributes) {
    const attributeName = localName(attribute.name);
    if (attributeName.startsWith("on")) return false;
    const value = decodeHtmlEntities(attribute.value);
    if (LINK_ATTRIBUTES.has(attribute.name) || attributeName === "href") {
      if (!isInertLink(value)) return false;
    } else if (!isInertCss(value)) {
      // Presentation attributes (`fill="url(#g)"`, `style`, `filter`) are CSS values; none may load or script.
      return false;
    }
  }
  if (name === "style" && !tag.closing) {
    const css = styleContent(svg, tag.end);
    if (css === undefined || !isInertCss(css)) return false;
  }
  return true;
}

/**
 * The text of a `<style>` element opened just before `from`: up to the next `<`, which must close it, or
 * through one CDATA section first. Read no further than that next `<`, so that a run of unclosed `<style>`
 * tags costs one pass, not one pass each.
 */
function styleContent(svg: string, from: number): string | undefined {
  let next = svg.indexOf("<", from);
  if (svg.startsWith("<![CDATA[", next)) {
    const cdataEnd = svg.indexOf("]]>", next);
    if (cdataEnd === -1) return undefined;
    next = svg.indexOf("<", cdataEnd);
  }
  if (next === -1 || svg[next + 1] !== "/") return undefined;
  return svg.slice(from, next);
}

/** `<?xml-stylesheet …?>` (an XSLT or CSS load), `<!ENTITY` (expansion the tag reading cannot follow). */
const HIDDEN_CONSTRUCTS = /<\?(?!xml\s)|<!entity|<!doctype[^>[]*\[/i;

/**
 * Where the comment, CDATA section, XML declaration or doctype starting at `at` ends; -1 for any other `<`.
 * Their content is text to an XML parser, so tags the tag reading finds inside them are skipped, not judged.
 */
function endOfMarkupDeclaration(svg: string, at: number): number {
  const close = (opening: string, closing: string): number => {
    if (svg.slice(at, at + opening.length).toLowerCase() !== opening) return -1;
    const end = svg.indexOf(closing, at + opening.length);
    return end === -1 ? -1 : end + closing.length;
  };
  const comment = close("<!--", "-->");
  if (comment !== -1) return comment;
  const cdata = close("<![cdata[", "]]>");
  if (cdata !== -1) return cdata;
  const doctype = close("<!doctype", ">");
  if (doctype !== -1) return doctype;
  return /^<\?xml\s/.test(svg.slice(at, at + 6)) ? close("<?xml", "?>") : -1;
}

/**
 * Whether `svg`, a whole SVG document, runs, loads and navigates to nothing
 * (see the module comment). Every `<` must open a tag the tag reading found
 * or a construct whose content is text: a name the reading skips
 * (`<_:script>`) or a tag an unclosed quote swallowed cannot hide.
 */
export function isInertSvg(svg: string): boolean {
  if (!/<svg[\s/>]/i.test(svg) || HIDDEN_CONSTRUCTS.test(svg)) return false;
  const tags = findTags(svg);
  let next = 0;
  for (let at = svg.indexOf("<"); at !== -1; at = svg.indexOf("<", at + 1)) {
    while (next < tags.length && (tags[next] as Tag).start < at) next++;
    const tag = tags[next];
    if (tag !== undefined && tag.start === at) {
      if (!isInertTag(tag, svg)) return false;
      continue;
    }
    const end = endOfMarkupDeclaration(svg, at);
    if (end === -1) return false;
    at = end - 1;
  }
  return true;
}

/** `data:image/svg+xml;base64,` with optional parameters (`;charset=utf-8`) before `;base64`. */
const SVG_DATA_URL_PREFIX = /data:image\/svg\+xml(?:;[a-z0-9._=-]{1,40}){0,4}?;base64,/gi;
const BASE64_CHARACTER = /[A-Za-z0-9+/=]/;
const WHITESPACE = /^[\t\n\f\r ]$/;

/** The decoded body of the base64 run at `start`, and where it ends; undefined when it is too long or no base64. */
function decodeRun(value: string, start: number): { svg: string; end: number } | undefined {
  let end = start;
  while (end < value.length && BASE64_CHARACTER.test(value[end] as string)) {
    end++;
    if (end - start > MAX_BASE64_LENGTH) return undefined;
  }
  // A browser drops whitespace inside a base64 body and decodes on: what follows it is part of the image.
  if (WHITESPACE.test(value[end] ?? "")) return undefined;
  try {
    return { svg: atob(value.slice(start, end)), end };
  } catch {
    return undefined;
  }
}

/** What an inert image is replaced with: a data URL that still reads as an image to the checks around it. */
const BLANK_IMAGE = "data:image/png;base64,";

/**
 * `value` with every base64 SVG data URL whose image is inert replaced by an
 * empty raster data URL. Unchanged when it holds none (the common case, one
 * case-insensitive search) or when an image is not inert.
 */
export function withoutInertSvgImages(value: string): string {
  if (!value.includes(";base64,") || !/data:image\/svg/i.test(value)) return value;
  let out = "";
  let from = 0;
  SVG_DATA_URL_PREFIX.lastIndex = 0;
  for (let match = SVG_DATA_URL_PREFIX.exec(value); match !== null; match = SVG_DATA_URL_PREFIX.exec(value)) {
    const run = decodeRun(value, match.index + match[0].length);
    if (run === undefined || !isInertSvg(run.svg)) continue;
    out += value.slice(from, match.index) + BLANK_IMAGE;
    from = run.end;
    SVG_DATA_URL_PREFIX.lastIndex = run.end;
  }
  return from === 0 ? value : out + value.slice(from);
}
