import { percentDecode } from "../canonicalize.js";

/**
 * The single decode a framework applies to a query or form value: `+` is a
 * space (application/x-www-form-urlencoded) and `%XX` is decoded. Malformed
 * escapes never throw; they are kept as written, as lenient servers do.
 */
export function decodeFormComponent(value: string): string {
  const spaced = value.indexOf("+") === -1 ? value : value.replaceAll("+", " ");
  if (spaced.indexOf("%") === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return percentDecode(spaced);
  }
}

/** A path is decoded without the `+` rule (RFC 3986 has no such convention for paths). */
export function decodePathComponent(value: string): string {
  if (value.indexOf("%") === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return percentDecode(value);
  }
}
