/**
 * What a multipart part's headers make of it, as the app's parser reads them.
 * A part's name and file name come from its Content-Disposition header alone
 * (busboy, undici's `Request.formData()`): a `filename="a.txt"` found in any
 * other header (`Content-Type: text/plain; filename="a.txt"`) made the shield
 * take a form field for a stored file and skip its content, while the app
 * received it as a field.
 */

export interface PartHead {
  /** The field's name as the parsers that read the part as a field name it; undefined when no Content-Disposition names it. */
  readonly name: string | undefined;
  /** Every name a parser may give the part (busboy reads the first Content-Disposition, undici the last). */
  readonly names: readonly string[];
  /** The client's file name, when every parser takes the part for a file (see `filenames`). */
  readonly filename: string | undefined;
  /** Every file name a parser may hand the app: `filename`, RFC 5987 `filename*` (busboy prefers it). */
  readonly filenames: readonly string[];
  /** `Content-Transfer-Encoding: base64`: undici's formData() decodes such a part's content. */
  readonly base64: boolean;
}

/** `; name=token` or `; name="quoted \" string"`, as busboy's parseDisposition reads a parameter. */
const PARAMETER = /[ \t]*;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))/y;
const DISPOSITION_TYPE = /^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]*/;
/** undici's reading: exactly `form-data; name="…"`, then maybe `; filename="…"`, no escapes (it decodes %22, %0A, %0D). */
const UNDICI_DISPOSITION = /^form-data; name="([^"\r\n]*)"(?:; filename="([^"\r\n]*)")?/;
/** A line break before a space or tab folds a header onto the previous line (busboy joins such lines). */
const FOLD = /\r?\n(?=[ \t])/g;

interface Disposition {
  readonly names: string[];
  /** File names as busboy and as undici read them; a parser that finds none takes the part for a field. */
  readonly busboyFile: string | undefined;
  readonly undiciFile: string | undefined;
}

export function readPartHead(head: string): PartHead {
  const dispositions: Disposition[] = [];
  let base64 = false;
  for (const line of head.replace(FOLD, "").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    // busboy allows no space before the colon, undici trims it: a name either reads is read.
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+/, "");
    if (header === "content-disposition") dispositions.push(readDisposition(value));
    else if (header === "content-transfer-encoding") base64 ||= value.trim().toLowerCase() === "base64";
  }
  const names = distinct(dispositions.flatMap((d) => d.names));
  const filenames = distinct(dispositions.flatMap((d) => [d.busboyFile, d.undiciFile]));
  // A file only if every parser reads every Content-Disposition so: none may hide a field behind a file's name.
  const file = dispositions.length > 0 && dispositions.every((d) => d.busboyFile !== undefined && d.undiciFile !== undefined);
  const asField = dispositions.find((d) => d.busboyFile === undefined || d.undiciFile === undefined) ?? dispositions.at(-1);
  return { name: asField?.names[0], names, filename: file ? (dispositions[0]?.busboyFile as string) : undefined, filenames, base64 };
}

function readDisposition(value: string): Disposition {
  const params = new Map<string, string>();
  PARAMETER.lastIndex = (DISPOSITION_TYPE.exec(value) as RegExpExecArray)[0].length;
  for (let match = PARAMETER.exec(value); match !== null; match = PARAMETER.exec(value)) {
    const param = (match[1] as string).toLowerCase();
    if (params.has(param)) continue; // busboy keeps the first
    const raw = match[2] !== undefined ? match[2].replace(/\\([\\"])/g, "$1") : (match[3] as string);
    params.set(param, param.endsWith("*") ? decodeExtendedValue(raw) : raw);
  }
  const undici = UNDICI_DISPOSITION.exec(value);
  const names = [params.get("name"), undici?.[1] === undefined ? undefined : undiciDecoded(undici[1])];
  return {
    names: distinct(names),
    busboyFile: params.get("filename*") ?? params.get("filename"),
    undiciFile: undici?.[2] === undefined ? undefined : undiciDecoded(undici[2]),
  };
}

/** RFC 5987 `charset'language'percent-encoded`, UTF-8 or else Latin-1 as busboy decodes it. */
function decodeExtendedValue(value: string): string {
  const quote = value.indexOf("'");
  const second = quote === -1 ? -1 : value.indexOf("'", quote + 1);
  if (second === -1) return value;
  const charset = value.slice(0, quote).toLowerCase();
  const bytes: number[] = [];
  const text = value.slice(second + 1);
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === "%" ? Number.parseInt(text.slice(i + 1, i + 3), 16) : Number.NaN;
    if (Number.isNaN(hex)) bytes.push(text.charCodeAt(i) & 0xff);
    else {
      bytes.push(hex);
      i += 2;
    }
  }
  const utf8 = charset === "utf-8" || charset === "utf8";
  if (utf8) return new TextDecoder().decode(new Uint8Array(bytes));
  let latin1 = "";
  for (const byte of bytes) latin1 += String.fromCharCode(byte);
  return latin1;
}

function undiciDecoded(name: string): string {
  return name.replace(/%0A/gi, "\n").replace(/%0D/gi, "\r").replace(/%22/g, '"');
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

const SEXTETS: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  // Buffer.from reads the URL-safe alphabet too.
  table[0x2d] = 62;
  table[0x5f] = 63;
  return table;
})();

/** Base64 decoded as Node's Buffer.from(text, "base64") does (what undici uses): other characters skipped, leftover bits dropped. */
export function decodeBase64(text: string): Uint8Array {
  const bytes = new Uint8Array(Math.ceil((text.length * 3) / 4));
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // `=` ends the data, as Buffer.from reads it.
    if (code === 0x3d) break;
    const value = code < 128 ? (SEXTETS[code] as number) : -1;
    if (value === -1) continue;
    bits = ((bits << 6) | value) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[length++] = (bits >> count) & 0xff;
    }
  }
  return bytes.subarray(0, length);
}
