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
  // Open elements, innermost last; bounded by the nesting depth the shield follows.
  const open: string[] = [];
  let element = "xml";
  while (i < text.length && !sink.full) {
    const lt = text.indexOf("<", i);
    const end = lt === -1 ? text.length : lt;
    const content = text.slice(i, end).trim();
    if (content.length > 0) sink.add(`body.${element}`, "body", content, element);
    if (lt === -1) return;
    const gt = text.indexOf(">", lt + 1);
    if (gt === -1) {
      // An unterminated tag: the rest is still attacker text.
      sink.add(`body.${element}`, "body", text.slice(lt), element);
      return;
    }
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      open.pop();
      element = open[open.length - 1] ?? "xml";
      continue;
    }
    if (tag.startsWith("!--") || tag.startsWith("?")) continue;
    if (tag.startsWith("![CDATA[")) {
      const cdataEnd = text.indexOf("]]>", lt);
      const cdata = text.slice(lt + 9, cdataEnd === -1 ? text.length : cdataEnd);
      if (cdata.length > 0) sink.add(`body.${element}`, "body", cdata, element);
      i = cdataEnd === -1 ? text.length : cdataEnd + 3;
      continue;
    }
    const name = addTag(tag, sink);
    if (name !== undefined && !tag.endsWith("/") && open.length < sink.limits.maxDepth) {
      open.push(name);
      element = name;
    }
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
