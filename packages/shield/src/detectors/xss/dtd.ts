/**
 * Document type declarations sent as a value. An internal DTD subset declares
 * entities (XXE: `SYSTEM "file:///…"`) and default attributes (html5sec's
 * `<!ATTLIST img onerror CDATA "alert(1)">`, which gives every `<img>` a
 * handler). Filters that strip `<` leave the declaration itself, and payloads
 * split across parameters carry its middle without the brackets, so the
 * declaration's own keywords are matched, not the tag.
 */

/*
 * XML keywords are case-sensitive and `<!ENTITY` allows no space after `!`, so
 * the patterns are too: "Wow! Entity Framework system" and a "#required"
 * hashtag are prose.
 */
/** `!ENTITY % name SYSTEM`, `!ENTITY name PUBLIC`: an entity bound to an external resource. */
const EXTERNAL_ENTITY = /!ENTITY\s+(?:%\s*)?[\w.:-]{1,64}\s+(?:SYSTEM|PUBLIC)\b/;
/** `id ID #REQUIRED`, `onerror CDATA #FIXED`: an attribute-list declaration's type and default. */
const ATTRIBUTE_DEFAULT = /\b(?:CDATA|ID|IDREFS?|NMTOKENS?|ENTITY|ENTITIES)\s+#(?:REQUIRED|IMPLIED|FIXED)\b/;

export interface DtdHit {
  readonly what: string;
  readonly index: number;
}

/** One scan for the keywords both declarations need; most values have neither, and pay only this. */
const DTD_KEYWORD = /!ENTITY|#(?:REQUIRED|IMPLIED|FIXED)/;

export function findDtdDeclaration(value: string): DtdHit | undefined {
  if (!DTD_KEYWORD.test(value)) return undefined;
  const entity = EXTERNAL_ENTITY.exec(value);
  if (entity !== null) return { what: "external entity declaration", index: entity.index };
  const attribute = ATTRIBUTE_DEFAULT.exec(value);
  if (attribute !== null) return { what: "DTD attribute declaration", index: attribute.index };
  return undefined;
}
