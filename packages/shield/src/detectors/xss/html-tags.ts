/**
 * Finds HTML tags in a value the way a browser's tokenizer would start one
 * (HTML Living Standard, 13.2.5 "Tag open state": `<` then an ASCII letter, or
 * `</` then a letter), and reads their attributes. Linear: each character is
 * visited at most twice, and a tag that never closes ends the scan.
 */

export interface Attribute {
  /** Lower-cased name. */
  readonly name: string;
  /** The value as written, without its quotes; "" when the attribute has none. */
  readonly value: string;
  /** Whether `=` followed the name (`<b and c>` is prose whose words parse as bare attributes). */
  readonly hasValue: boolean;
}

export interface Tag {
  /** Lower-cased element name, e.g. "script", "svg:svg". */
  readonly name: string;
  readonly closing: boolean;
  readonly attributes: readonly Attribute[];
  /** Whether a `>` ended the tag (a browser waits for one; an unclosed tag can still be completed by the page). */
  readonly terminated: boolean;
  readonly start: number;
  /** Just past the tag: after its `>`, or where an unterminated tag stopped being read. */
  readonly end: number;
}

/** Bound on attributes read per tag: enough for any real payload, keeps a hostile value from building a huge list. */
export const MAX_ATTRIBUTES = 64;

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

/** HTML's whitespace between attributes; `/` also separates them (`<svg/onload=…>`). */
function isSeparator(char: string | undefined): boolean {
  return (
    char === " " || char === "\t" || char === "\n" || char === "\f" || char === "\r" || char === "/" || char === "\v" || char === "\u0000"
  );
}

function isNameChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x3a || code === 0x2d || code === 0x5f;
}

/** Every tag in `value`, in order. */
export function findTags(value: string): Tag[] {
  const tags: Tag[] = [];
  let from = 0;
  while (from < value.length) {
    const open = value.indexOf("<", from);
    if (open === -1) break;
    let i = open + 1;
    const closing = value[i] === "/";
    if (closing) i++;
    // `<:vmlframe`: old IE read a tag with an empty namespace prefix (VML), so the colon may come first.
    const prefixOnly = value[i] === ":" && isAsciiLetter(value.charCodeAt(i + 1));
    if (!prefixOnly && !isAsciiLetter(value.charCodeAt(i))) {
      from = open + 1;
      continue;
    }
    const nameStart = i;
    while (i < value.length && isNameChar(value.charCodeAt(i))) i++;
    const after = value[i];
    // `Name <a@b.c>` or `<3`: not a tag name followed by the end of a tag.
    if (after !== undefined && after !== ">" && after !== "<" && !isSeparator(after)) {
      from = i;
      continue;
    }
    const name = value.slice(nameStart, i).toLowerCase();
    const read = readAttributes(value, i);
    tags.push({ name, closing, attributes: read.attributes, terminated: read.terminated, start: open, end: read.end });
    from = Math.max(read.end, open + 1);
  }
  return tags;
}

interface AttributeRead {
  readonly attributes: Attribute[];
  readonly terminated: boolean;
  readonly end: number;
}

function readAttributes(value: string, from: number): AttributeRead {
  const attributes: Attribute[] = [];
  let i = from;
  while (i < value.length) {
    while (isSeparator(value[i])) i++;
    const char = value[i];
    if (char === undefined) break;
    if (char === ">") return { attributes, terminated: true, end: i + 1 };
    // A new `<` starts a new tag for our purposes: the payload may be several tags in a row.
    if (char === "<") return { attributes, terminated: false, end: i };
    const nameStart = i;
    i++;
    while (i < value.length && !isSeparator(value[i]) && value[i] !== ">" && value[i] !== "=" && value[i] !== "<") i++;
    const name = value.slice(nameStart, i).toLowerCase();
    while (value[i] === " " || value[i] === "\t" || value[i] === "\n" || value[i] === "\r" || value[i] === "\f") i++;
    let attributeValue = "";
    const hasValue = value[i] === "=";
    if (hasValue) {
      i++;
      while (value[i] === " " || value[i] === "\t" || value[i] === "\n" || value[i] === "\r" || value[i] === "\f") i++;
      const quote = value[i];
      if (quote === '"' || quote === "'" || quote === "`") {
        const close = value.indexOf(quote, i + 1);
        const end = close === -1 ? value.length : close;
        attributeValue = value.slice(i + 1, end);
        i = close === -1 ? value.length : close + 1;
      } else {
        const valueStart = i;
        while (i < value.length && !isSeparator(value[i]) && value[i] !== ">" && value[i] !== "<") i++;
        // `/` is part of an unquoted value (a URL), and only a separator between attributes.
        while (value[i] === "/" && i < value.length) {
          i++;
          while (i < value.length && !isSeparator(value[i]) && value[i] !== ">" && value[i] !== "<") i++;
        }
        attributeValue = value.slice(valueStart, i);
      }
    }
    if (attributes.length < MAX_ATTRIBUTES) attributes.push({ name, value: attributeValue, hasValue });
  }
  return { attributes, terminated: false, end: value.length };
}
