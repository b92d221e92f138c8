/**
 * Decodes HTML character references the way a browser does inside markup and
 * attribute values: numeric references with or without the final `;`
 * (`&#106`, `&#x6A;`, `&#0000106`) and the named ones attackers use to hide
 * URL schemes and calls (`&colon;`, `&Tab;`, `&lpar;`). The shield's
 * canonicalization decodes entities already; this covers values that reach
 * the detector without that step, and references the plumbing left alone.
 */

const NAMED: Readonly<Record<string, string>> = {
  colon: ":",
  tab: "\t",
  newline: "\n",
  lpar: "(",
  rpar: ")",
  sol: "/",
  bsol: "\\",
  period: ".",
  comma: ",",
  semi: ";",
  quot: '"',
  apos: "'",
  grave: "`",
  lt: "<",
  gt: ">",
  amp: "&",
  nbsp: "\u00a0",
  equals: "=",
  lsqb: "[",
  rsqb: "]",
  lcub: "{",
  rcub: "}",
  excl: "!",
  num: "#",
  plus: "+",
};

/** Bounded digit counts keep every match short; one pass, no backtracking between alternatives. */
const REFERENCE = /&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?|&([a-zA-Z]{2,8});/g;

export function decodeHtmlEntities(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(REFERENCE, (match, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? match;
    const code = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal ?? "", 10);
    if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return match;
    return String.fromCodePoint(code === 0 ? 0xfffd : code);
  });
}
