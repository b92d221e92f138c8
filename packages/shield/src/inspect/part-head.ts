/**
 * What a multipart part's headers make of it, as the app's parser reads them.
 * A part's name and file name come from its Content-Disposition header alone
 * (busboy, undici's `Request.formData()`): a `filename="a.txt"` found in any
 * other header (`Content-Type: text/plain; filename="a.txt"`) made the shield
 * take a form field for a stored file and skip its content, while the app
 * received it as a field.
 */

export interface PartHead {
  /** The field's name; undefined when no Content-Disposition names it. */
  readonly name: string | undefined;
  /** The client's file name: a part with one is an uploaded file. */
  readonly filename: string | undefined;
  /** `Content-Transfer-Encoding: base64`: undici's formData() decodes such a part's content. */
  readonly base64: boolean;
}

/** Each Content-Disposition header of a head (a line start, the name in any case). Linear: one pass over each line. */
const DISPOSITION = /^content-disposition:([^\r\n]*)/gim;
const NAME = /(?:^|[;\s])name="([^"]{0,200})"/;
const FILENAME = /(?:^|[;\s])filename="([^"]{0,500})"/;
const BASE64 = /^content-transfer-encoding:[ \t]*base64[ \t]*\r?$/im;

export function readPartHead(head: string): PartHead {
  // undici keeps the last of repeated headers; a file only if every one says so, so none hides a field as a file.
  let name: string | undefined;
  let filename: string | undefined;
  let every = true;
  let any = false;
  DISPOSITION.lastIndex = 0;
  for (let match = DISPOSITION.exec(head); match !== null; match = DISPOSITION.exec(head)) {
    const disposition = match[1] as string;
    any = true;
    name = NAME.exec(disposition)?.[1] ?? name;
    const file = FILENAME.exec(disposition)?.[1];
    if (file === undefined) every = false;
    else filename = file;
  }
  return { name, filename: any && every ? filename : undefined, base64: BASE64.test(head) };
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
