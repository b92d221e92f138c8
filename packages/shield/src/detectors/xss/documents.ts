/**
 * Uploaded pages: an HTML, SVG or XML file that a browser renders as a
 * document if the app serves it back (see inspect/upload.ts). Judged on the
 * file as a browser reads it, not canonicalized: a browser decodes no
 * percent-escapes in a page, and `&lt;script&gt;` in a code sample is text.
 * What counts is what runs when the page opens in the app's origin: code
 * elements, handlers and script URLs (`scoreDocumentTags`), and what an XML
 * parser builds that a tag reading cannot see: a script element behind a
 * prefix the tag reading skips (`<_:script>`), an entity that expands to
 * markup, a DTD that gives elements a handler or binds an external entity
 * (XXE, when the server parses the file).
 */
import { evidenceOf } from "../evidence.js";
import { higherScore } from "../score.js";
import type { Finding } from "../types.js";
import { findDtdDeclaration } from "./dtd.js";
import { scoreDocumentTags, type TagVerdict } from "./tag-verdicts.js";

/** An element whose local name is `script` behind any XML prefix (`_:script`, `a.b:script`): bounded, so linear. */
const PREFIXED_SCRIPT = /<[^\s<>!?/=]{1,64}:script[\s/>]/i;
/** `<!ATTLIST svg onload CDATA "…">`: a default value for an event handler, which every such element then carries. */
const HANDLER_DEFAULT = /<!ATTLIST\s{1,32}[^\s>]{1,64}\s{1,32}on[a-z]{2,30}\s/i;
/** The start of an internal entity's value: `<!ENTITY name "` (a parameter entity too). */
const ENTITY_VALUE_START = /<!ENTITY\s{1,32}(?:%\s{1,32})?[^\s"'>]{1,64}\s{1,32}(["'])/g;

export function detectScriptInDocument(raw: string): Finding | undefined {
  let best: TagVerdict | undefined = scoreDocumentTags(raw);
  if ((best?.score ?? 0) < 0.95 && raw.includes("<!")) best = higherScore(best, declarationDanger(raw));
  if ((best?.score ?? 0) < 0.95 && raw.includes(":")) {
    const prefixed = PREFIXED_SCRIPT.exec(raw);
    if (prefixed !== null) best = higherScore(best, { score: 0.95, label: "prefixed script element", index: prefixed.index });
  }
  if (best === undefined) return undefined;
  return { class: "xss", score: best.score, evidence: evidenceOf(`page file: ${best.label}`, raw.slice(best.index, best.index + 80)) };
}

function declarationDanger(raw: string): TagVerdict | undefined {
  const dtd = findDtdDeclaration(raw);
  let best: TagVerdict | undefined = dtd === undefined ? undefined : { score: 0.85, label: dtd.what, index: dtd.index };
  const handler = HANDLER_DEFAULT.exec(raw);
  if (handler !== null) best = higherScore(best, { score: 0.9, label: "DTD default for an event handler", index: handler.index });
  ENTITY_VALUE_START.lastIndex = 0;
  for (let match = ENTITY_VALUE_START.exec(raw); match !== null; match = ENTITY_VALUE_START.exec(raw)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf(match[1] as string, start);
    const value = raw.slice(start, end === -1 ? raw.length : end);
    // Expanded where it is referenced, an entity holding `<` (or a reference, `&#60;`, that becomes one when it is
    // declared) is markup the tag reading never saw in place.
    if (value.includes("<") || value.includes("&"))
      return higherScore(best, { score: 0.9, label: "entity declared with markup", index: match.index });
    if (end === -1) break;
    ENTITY_VALUE_START.lastIndex = end + 1;
  }
  return best;
}
