import type { CandidateSink } from "./limits.js";

/**
 * An XML body's attribute values and text nodes, each inspected as a value
 * under `body.<element>` (or `body.<element>.<attribute>`): a SOAP or XML-RPC
 * handler reads them the way a form handler reads fields, so an injection
 * hides in `<a probe="; id">` as well as in `probe=; id`. Entities are left
 * to the canonicalizer. One left-to-right pass; no DTD is read, so there is
 * no entity expansion to abuse.
 */
export function addXml(text: string, sink: CandidateSink): void {
  let i = 0;
  let element = "xml";
  while (i < text.length && !sink.full) {
    const open = text.indexOf("<", i);
    const end = open === -1 ? text.length : open;
    const content = text.slice(i, end).trim();
    if (content.length > 0) sink.add(`body.${element}`, "body", content, element);
    if (open === -1) return;
    const close = text.indexOf(">", open + 1);
    if (close === -1) {
      // An unterminated tag: the rest is still attacker text.
      sink.add(`body.${element}`, "body", text.slice(open), element);
      return;
    }
    const tag = text.slice(open + 1, close);
    i = close + 1;
    if (tag.startsWith("!--") || tag.startsWith("?") || tag.startsWith("/")) continue;
    if (tag.startsWith("![CDATA[")) {
      const cdataEnd = text.indexOf("]]>", open);
      const cdata = text.slice(open + 9, cdataEnd === -1 ? text.length : cdataEnd);
      if (cdata.length > 0) sink.add(`body.${element}`, "body", cdata, element);
      i = cdataEnd === -1 ? text.length : cdataEnd + 3;
      continue;
    }
    element = addTag(tag, sink) ?? element;
  }
}

const TAG_NAME = /^[\w:.-]{1,100}/;
const ATTRIBUTE = /([\w:.-]{1,100})\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Adds a start tag's attribute values; returns the element name. */
function addTag(tag: string, sink: CandidateSink): string | undefined {
  const name = TAG_NAME.exec(tag)?.[0];
  if (name === undefined) return undefined;
  ATTRIBUTE.lastIndex = name.length;
  for (let match = ATTRIBUTE.exec(tag); match !== null && !sink.full; match = ATTRIBUTE.exec(tag)) {
    const attribute = match[1] as string;
    const value = match[2] ?? match[3] ?? "";
    if (attribute.startsWith("xmlns")) continue;
    sink.add(`body.${name}.${attribute}`, "body", value, attribute);
  }
  return name;
}
