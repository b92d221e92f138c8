import { readdirSync, readFileSync } from "node:fs";

/** The shield's test sources, beside the compiled tests' folder (dist/test → test). */
const TEST_SOURCES = new URL("../../test/", import.meta.url);

/**
 * Every quoted string literal written in the shield's test sources: the
 * attack payloads (and the benign look-alikes) the unit tests were built on,
 * collected so that a property can be checked on all of them, including the
 * ones added later. Template literals with `${` are left out (their text is
 * computed); a literal whose escapes cannot be read is skipped.
 */
export function payloadsFromTests(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(TEST_SOURCES)) {
    if (!file.endsWith(".ts")) continue;
    for (const literal of stringLiterals(readFileSync(new URL(file, TEST_SOURCES), "utf8"))) found.add(literal);
  }
  return [...found];
}

/** The quoted literals of one source file, read with a small scanner (comments skipped, one line per literal). */
function stringLiterals(source: string): string[] {
  const literals: string[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
      continue;
    }
    if (c !== "'" && c !== '"' && c !== "`") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < source.length && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
    const body = source.slice(i + 1, j);
    i = j + 1;
    if (source[j] !== c || (c === "`" && body.includes("${"))) continue;
    const text = readEscapes(body);
    if (text !== undefined && text.length > 0) literals.push(text);
  }
  return literals;
}

/** JavaScript string escapes (`\n`, `\x41`, `\u0041`, `\u{1F600}`, `\'`); undefined for one this reader does not know. */
function readEscapes(body: string): string | undefined {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", 0: "\0" };
    if (next === undefined) return undefined;
    if (next in simple) out += simple[next];
    else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (next === "u" && body[i + 1] === "{") {
      const close = body.indexOf("}", i);
      const code = Number.parseInt(body.slice(i + 2, close), 16);
      if (close === -1 || !Number.isInteger(code) || code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i = close;
    } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (/[0-9a-zA-Z]/.test(next)) return undefined;
    else out += next;
  }
  return out;
}
